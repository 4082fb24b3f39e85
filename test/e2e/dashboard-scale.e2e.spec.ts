// Code passed to page.evaluate runs in the browser.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard with 100,000 instances and a history of 10,000 events, in real Chromium: the pages
// render and scroll, and the rendered rows stay few (virtualised), while the server pages and counts.
// The data goes straight into the product's store before it starts (running 100,000 orchestrations
// would take most of the test's time). Timings are measured and written to the artefacts, not asserted.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { newEvent, type HistoryEvent } from '@durable/core';
import { partitionOf } from '@durable/log';
import type { InstanceRecord } from '@durable/storage';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { launchChromium } from '../support/chromium';
import { DurableProcess } from '../support/durable-process';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test', 'artifacts', 'dashboard');
const instanceCount = 100_000;
const historyLength = 10_000;
const partitions = 4;
const bigId = 'big-history';

function completedRecord(instanceId: string, createdAt: number, overrides: Partial<InstanceRecord> = {}) {
  const record: InstanceRecord = {
    instanceId,
    partition: partitionOf(instanceId, partitions),
    name: 'HelloSequence',
    executionId: `${instanceId}-e1`,
    status: 'Completed',
    input: '"London"',
    output: '"Hello London!"',
    createdAt,
    updatedAt: createdAt + 40,
    completedAt: createdAt + 40,
    historyLength: 0,
    appliedOffset: -1,
    timers: [],
    ...overrides,
  };
  return record;
}

/**
 * A fan-out of activities and its fan-in, `length` events long as the HTTP API shows history (replay
 * bookkeeping left out, each TaskScheduled folded into its TaskCompleted): started, the results, completed.
 */
function fanOutHistory(instanceId: string, executionId: string, startedAt: number, length: number) {
  const at = (ms: number): string => new Date(startedAt + ms).toISOString();
  const activities = length - 2;
  const events: HistoryEvent[] = [
    newEvent('OrchestratorStarted', at(0), {}),
    newEvent('ExecutionStarted', at(0), { name: 'Bulk', orchestrationInstance: { instanceId, executionId } }),
  ];
  for (let i = 0; i < activities; i++) {
    events.push(newEvent('TaskScheduled', at(0), { name: 'SayHello', input: `"item ${i}"` }, i));
  }
  events.push(newEvent('OrchestratorCompleted', at(0), {}));
  // Results arrive in batches of 100, one episode each.
  for (let from = 0; from < activities; from += 100) {
    events.push(newEvent('OrchestratorStarted', at(from + 100), {}));
    for (let i = from; i < Math.min(from + 100, activities); i++) {
      events.push(newEvent('TaskCompleted', at(i + 5), { taskScheduledId: i, result: `"Hello ${i}!"` }));
    }
    events.push(newEvent('OrchestratorCompleted', at(from + 100), {}));
  }
  events.push(newEvent('OrchestratorStarted', at(activities + 200), {}));
  events.push(
    newEvent('ExecutionCompleted', at(activities + 200), {
      orchestrationStatus: 'Completed',
      result: '"done"',
    }),
  );
  events.push(newEvent('OrchestratorCompleted', at(activities + 200), {}));
  return events;
}

describe('the dashboard at scale', () => {
  const product = new DurableProcess({ PARTITION_COUNT: String(partitions) });
  const timings: Record<string, number> = {};
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let dashboard: string;

  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    let result: T;
    try {
      result = await step();
    } catch (error) {
      // What the page showed, to tell a slow page from a wrong one.
      const text = await page.evaluate(() => document.body.innerText).catch(() => '');
      console.log(`'${what}' failed at ${page.url()}; the page showed:\n${text.slice(0, 2000)}`);
      throw error;
    }
    timings[what] = Math.round(performance.now() - began);
    return result;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build-dashboard.mjs', '--if-stale'], {
      cwd: root,
      stdio: 'inherit',
    });
    await timed('seed 100,000 instances and a 10,000-event history (ms)', async () => {
      const store = new SqliteStateStore(join(product.dataDir, 'durable.db'));
      try {
        const base = Date.parse('2026-11-01T00:00:00Z');
        // Puts asked for in one turn share a transaction: a few thousand at a time.
        for (let from = 0; from < instanceCount; from += 5000) {
          await Promise.all(
            Array.from({ length: 5000 }, (_, k) => {
              const i = from + k;
              return store.putInstance(
                completedRecord(`scale-${String(i).padStart(6, '0')}`, base + i * 1000),
                undefined,
              );
            }),
          );
        }
        const partition = partitionOf(bigId, partitions);
        const events = fanOutHistory(bigId, `${bigId}-e1`, base, historyLength);
        // Epoch 0: below any the product's worker claims with, so its claims win.
        await store.claimPartition(partition, 0);
        await store.commit(partition, 0, [
          {
            record: completedRecord(bigId, base, {
              name: 'Bulk',
              historyLength: events.length,
              updatedAt: base + historyLength + 200,
            }),
            expectedEtag: undefined,
            history: { executionId: `${bigId}-e1`, fromIndex: 0, events },
          },
        ]);
      } finally {
        await store.close();
      }
    });
    await product.start();
    dashboard = `http://127.0.0.1:${product.port}/dashboard/`;
    profile = mkdtempSync(join(tmpdir(), 'durable-chromium-'));
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium(profile);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (error) => console.log(`page error: ${String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.log(`console: ${message.text()}`);
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await product.stop();
    product.cleanup();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    writeFileSync(join(shots, 'scale-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
    console.log(`dashboard at scale, measured:\n${JSON.stringify(timings, null, 2)}`);
  });

  const api = (path: string) => fetch(`${product.baseUrl}${path}`);

  it('counts 100,000 instances on the server and shows the count, uncapped', async () => {
    const counts = await timed(
      'GET /instance-counts over 100,001 instances (ms)',
      async () =>
        (await (await api('/instance-counts')).json()) as {
          count: number;
          byRuntimeStatus: Record<string, number>;
        },
    );
    expect(counts.byRuntimeStatus['Completed']).toBe(instanceCount + 1);
    await timed('overview: navigate until the Completed count shows (ms)', async () => {
      await page.goto(dashboard);
      await page
        .getByTestId('count-Completed')
        .getByText(String(instanceCount + 1), { exact: true })
        .waitFor();
    });
  });

  it('shows a page of 1,000 of them, rendering only the rows in view, and scrolls to its end', async () => {
    await timed('API: all 100 pages of 1,000, newest first, in turn (ms)', async () => {
      let token: string | null = null;
      for (let n = 0; n < 100; n++) {
        const response: Response = await fetch(
          `${product.baseUrl}/instances?top=1000&orderBy=createdTime&descending=true&showInput=false`,
          {
            headers: token !== null ? { 'x-ms-continuation-token': token } : {},
          },
        );
        token = response.headers.get('x-ms-continuation-token');
        expect(response.status).toBe(200);
      }
    });
    await timed('instances page: 1,000 rows, navigate until the first shows (ms)', async () => {
      await page.goto(`${dashboard}#/instances?prefix=scale-&top=1000`);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid=row-count]')?.textContent?.startsWith('1000 '),
      );
    });
    await expect(page.getByTestId('instance-row').first().locator('a').textContent()).resolves.toBe(
      'scale-099999',
    );
    const rendered = await page.getByTestId('instance-row').count();
    expect(rendered).toBeLessThan(100);
    const last = await timed('instances page: scroll to the end until the last row shows (ms)', async () => {
      await page.evaluate(() => {
        const scroller = document.querySelector('[data-testid=instance-rows]') as HTMLElement;
        scroller.scrollTop = scroller.scrollHeight;
      });
      await page.getByText('scale-099000', { exact: true }).waitFor();
      return page.getByTestId('instance-row').count();
    });
    expect(last).toBeLessThan(100);
    await timed('instances page: the next page of 1,000 (ms)', async () => {
      await page.getByTestId('next-page').click();
      await page.getByText('scale-098999', { exact: true }).waitFor();
    });
    await page.screenshot({ path: join(shots, 'scale-instances.png') });
  });

  it('finds one of them by text in the id, on the server', async () => {
    await timed('instances page: id contains "042420" among 100,001 (ms)', async () => {
      await page.goto(`${dashboard}#/instances?q=042420`);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid=row-count]')?.textContent?.startsWith('1 '),
      );
    });
    await expect(page.getByTestId('instance-row').locator('a').allTextContents()).resolves.toEqual([
      'scale-042420',
    ]);
  });

  it('shows a history of 10,000 events, rendering only the rows in view, and scrolls to its end', async () => {
    await timed('history tab: navigate until 10,000 events are listed (ms)', async () => {
      await page.goto(`${dashboard}#/instances/${bigId}?tab=history`);
      await page.getByTestId('history-count').getByText(`${historyLength} events`).waitFor();
    });
    expect(await page.getByTestId('history-row').count()).toBeLessThan(100);
    await timed('history tab: scroll to the end until the completion shows (ms)', async () => {
      await page.evaluate(() => {
        const scroller = document.querySelector('[data-testid=history]') as HTMLElement;
        scroller.scrollTop = scroller.scrollHeight;
      });
      await page.getByTestId('history').getByText('ExecutionCompleted').waitFor();
    });
    expect(await page.getByTestId('history-row').count()).toBeLessThan(100);
    await page.screenshot({ path: join(shots, 'scale-history.png') });
    await timed('timeline tab: 9,998 activity bars, until the first shows (ms)', async () => {
      await page.getByTestId('tab-timeline').click();
      await page.getByTestId('bar-activity').first().waitFor();
    });
    expect(await page.getByTestId('bar-activity').count()).toBeLessThan(200);
    await timed('sequence tab: until the first message shows (ms)', async () => {
      await page.getByTestId('tab-sequence').click();
      await page.getByTestId('sequence-message').first().waitFor();
    });
    expect(await page.getByTestId('sequence-message').count()).toBeLessThan(200);
  });
});

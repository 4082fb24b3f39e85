// Code passed to page.evaluate runs in the browser.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { DurableProcess } from '../support/durable-process';

// The dashboard in real Chromium (Debian's package), against the product started as `npm start` does.
const root = join(__dirname, '..', '..');
const shots = join(root, 'test', 'artifacts', 'dashboard');

describe('the dashboard in Chromium', () => {
  const product = new DurableProcess();
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let dashboard: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build-dashboard.mjs', '--if-stale'], {
      cwd: root,
      stdio: 'inherit',
    });
    await product.start();
    dashboard = `http://127.0.0.1:${product.port}/dashboard/`;
    profile = mkdtempSync(join(tmpdir(), 'durable-chromium-'));
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium(profile);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await product.stop();
    product.cleanup();
    rmSync(profile, { recursive: true, force: true });
  });

  const api = (path: string, init?: RequestInit) => fetch(`${product.baseUrl}${path}`, init);
  const start = (name: string, id: string, input?: unknown) =>
    api(`/orchestrators/${name}/${id}`, {
      method: 'POST',
      ...(input !== undefined ? { body: JSON.stringify(input) } : {}),
    });

  it('starts HelloSequence from the UI and shows it Completed without a reload', async () => {
    await page.goto(`${dashboard}#/instances`);
    await page.getByTestId('start').click();
    await page.getByTestId('start-name').selectOption('HelloSequence');
    await page.getByTestId('start-id').fill('ui-hello');
    await page.getByTestId('confirm').click();
    await page.getByTestId('api-answer').getByText('HTTP 202').waitFor();
    await page.getByTestId('close').click();
    await page.goto(`${dashboard}#/instances/ui-hello`);
    await page.locator('h2 .badge', { hasText: 'Completed' }).waitFor();
    await page.getByTestId('output').getByText('Hello London!').waitFor();
    await page.screenshot({ path: join(shots, 'instance.png') });
  });

  it('draws the three activities of HelloSequence on its timeline', async () => {
    await page.getByTestId('tab-timeline').click();
    await page.getByTestId('timeline').waitFor();
    await expect(page.getByTestId('bar-activity').count()).resolves.toBe(3);
    await page.screenshot({ path: join(shots, 'timeline.png') });
    await page.getByTestId('tab-sequence').click();
    await expect(page.getByTestId('sequence-message').count()).resolves.toBe(6);
  });

  it('filters the list to Failed ones only, keeping the filter in the URL', async () => {
    // A non-numeric timeout makes Approval's timer invalid: the orchestration fails.
    await start('Approval', 'bad-approval', { timeoutSeconds: 'soon' });
    await product_waitFor(`/instances/bad-approval`, 'Failed');
    await page.goto(`${dashboard}#/instances`);
    await page.getByTestId('filter-Failed').check();
    expect(page.url()).toContain('status=Failed');
    await page.getByTestId('instance-row').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=instance-row]').length === 1);
    const statuses = await page.getByTestId('instance-row').locator('.badge').allTextContents();
    expect(statuses).toEqual(['Failed']);
    await page.reload();
    await expect(page.getByTestId('filter-Failed').isChecked()).resolves.toBe(true);
  });

  it('shows what a waiting Approval waits on, then raises Approval from the UI', async () => {
    await start('Approval', 'ui-approval', { timeoutSeconds: 600 });
    await page.goto(`${dashboard}#/instances/ui-approval?tab=waiting`);
    await page.getByTestId('waiting').getByText('waiting for event Approval').waitFor();
    await page
      .getByTestId('waiting')
      .getByText(/timer due at \d{4}-/)
      .waitFor();
    await page.getByTestId('waiting').getByText('owned by an orchestration worker').waitFor();
    await page.screenshot({ path: join(shots, 'waiting.png') });
    await page.getByTestId('action-raise').click();
    await page.getByTestId('event-name').fill('Approval');
    await page.getByTestId('event-data').fill('true');
    await page.getByTestId('confirm').click();
    await page.getByTestId('api-answer').getByText('HTTP 202').waitFor();
    await page.getByTestId('close').click();
    await page.getByTestId('output').getByText('"approved"').waitFor();
  });

  it('terminates a running instance', async () => {
    await start('Approval', 'ui-terminate', { timeoutSeconds: 600 });
    await page.goto(`${dashboard}#/instances/ui-terminate`);
    await page.locator('h2 .badge', { hasText: 'Running' }).waitFor();
    await page.getByTestId('action-terminate').click();
    await page.getByTestId('confirm').click();
    await page.getByTestId('api-answer').getByText('HTTP 202').waitFor();
    await page.getByTestId('close').click();
    await page.locator('h2 .badge', { hasText: 'Terminated' }).waitFor();
  });

  it('pages through 250 instances with the continuation tokens', async () => {
    await Promise.all(
      Array.from({ length: 250 }, (_, i) => start('HelloSequence', `page-${String(i).padStart(3, '0')}`)),
    );
    await page.goto(`${dashboard}#/instances?prefix=page-`);
    const seen = new Set<string>();
    for (let n = 1; n <= 3; n++) {
      await page.getByTestId('page-number').getByText(`page ${n}`).waitFor();
      await page.getByTestId('instance-row').first().waitFor();
      await page.waitForFunction(
        (expected) =>
          document.querySelector('[data-testid=row-count]')?.textContent?.startsWith(`${expected} `),
        n < 3 ? 100 : 50,
      );
      // The list is virtualised: collect the ids by scrolling through it.
      const ids = await page.evaluate(async () => {
        const scroller = document.querySelector('[data-testid=instance-rows]') as HTMLElement;
        const found = new Set<string>();
        for (let top = 0; top <= scroller.scrollHeight; top += 300) {
          scroller.scrollTop = top;
          await new Promise((resolve) => requestAnimationFrame(resolve));
          for (const a of scroller.querySelectorAll('[data-testid=instance-row] a'))
            found.add(a.textContent ?? '');
        }
        return [...found];
      });
      for (const id of ids) seen.add(id);
      if (n === 1) await page.screenshot({ path: join(shots, 'instances.png') });
      if (n < 3) await page.getByTestId('next-page').click();
    }
    expect(seen.size).toBe(250);
    await expect(page.getByTestId('next-page').isDisabled()).resolves.toBe(true);
  });

  it('finds an id by text and orders the list on the server, not within the page', async () => {
    // page-249 is not on the first page of 100 in creation order: only a server-side filter finds it.
    await page.goto(`${dashboard}#/instances?prefix=page-&q=249&sort=created-asc`);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=row-count]')?.textContent?.startsWith('1 '),
    );
    await expect(page.getByTestId('instance-row').locator('a').allTextContents()).resolves.toEqual([
      'page-249',
    ]);
    for (const [sort, orderBy, descending] of [
      ['created-desc', 'createdTime', 'true'],
      ['updated-asc', 'lastUpdatedTime', 'false'],
    ] as const) {
      const first = (await (
        await api(`/instances?instanceIdPrefix=page-&orderBy=${orderBy}&descending=${descending}&top=1`)
      ).json()) as Array<{ instanceId: string }>;
      await page.goto(`${dashboard}#/instances?prefix=page-&sort=${sort}`);
      // Only the hash changes: the rows of the previous order stay until the new page arrives.
      await page
        .waitForFunction(
          (id) => document.querySelector('[data-testid=instance-row] a')?.textContent === id,
          first[0]?.instanceId,
          { timeout: 15_000 },
        )
        .catch(() => undefined);
      await expect(page.getByTestId('instance-row').first().locator('a').textContent()).resolves.toBe(
        first[0]?.instanceId,
      );
    }
  });

  it('shows the counts per status from the count endpoint', async () => {
    // Once the 250 are done, the Completed count the page shows is the server's.
    const deadline = Date.now() + 60_000;
    let counts: { byRuntimeStatus: Record<string, number> } | undefined;
    while (Date.now() < deadline) {
      counts = (await (
        await api('/instance-counts?instanceIdPrefix=page-&runtimeStatus=Completed')
      ).json()) as {
        byRuntimeStatus: Record<string, number>;
      };
      if (counts.byRuntimeStatus['Completed'] === 250) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(counts?.byRuntimeStatus['Completed']).toBe(250);
    const all = (await (await api('/instance-counts')).json()) as { byRuntimeStatus: Record<string, number> };
    await page.goto(dashboard);
    await page
      .getByTestId('count-Completed')
      .getByText(String(all.byRuntimeStatus['Completed']), { exact: true })
      .waitFor();
    await page.getByTestId('throughput-chart').locator('canvas').waitFor();
    await page.screenshot({ path: join(shots, 'overview.png') });
  });

  async function product_waitFor(path: string, status: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const body = (await (await api(path)).json()) as { runtimeStatus?: string };
      if (body.runtimeStatus === status) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${path} did not become ${status}`);
  }
});

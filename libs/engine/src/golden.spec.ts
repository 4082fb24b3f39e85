import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from '@durable/core';
import { defineOrchestration } from './definitions';
import { OrchestrationExecutor } from './executor';
import { parseGoldenHistory } from './golden-history';
import { Registry } from './registry';
import { goldenRegistry } from './samples/golden';
import { sayHello } from './samples/hello';

const goldenDir = join(__dirname, '..', 'golden');
const files = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

function recordedCompletion(history: readonly HistoryEvent[]) {
  const completed = history.find((e) => e.type === 'ExecutionCompleted');
  if (completed?.type !== 'ExecutionCompleted') throw new Error('golden history has no ExecutionCompleted');
  return completed;
}

describe('golden histories', () => {
  it('has the recorded files to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('replays %s with no non-determinism and the recorded outcome', async (file) => {
    const golden = parseGoldenHistory(readFileSync(join(goldenDir, file), 'utf8'));
    for (const [instanceId, history] of Object.entries(golden.instances)) {
      const executor = new OrchestrationExecutor(goldenRegistry());
      const result = await executor.execute(history, []);
      const recorded = recordedCompletion(history);
      expect([instanceId, result.completion?.failureDetails?.errorType]).not.toEqual([
        instanceId,
        'NonDeterminismError',
      ]);
      expect(result.actions).toEqual([result.completion]);
      expect(result.completion).toMatchObject({
        orchestrationStatus: recorded.orchestrationStatus,
        ...(recorded.result !== undefined ? { result: recorded.result } : {}),
        ...(recorded.failureDetails !== undefined
          ? { failureDetails: { errorType: recorded.failureDetails.errorType } }
          : {}),
      });
    }
  });

  it('catches a change that breaks replay of an existing history', async () => {
    const golden = parseGoldenHistory(readFileSync(join(goldenDir, 'hello-sequence.json'), 'utf8'));
    const history = golden.instances['instance-1'] ?? [];
    // Same name, different steps: as if someone edited HelloSequence without versioning it.
    const edited = new OrchestrationExecutor(
      new Registry().add(
        sayHello,
        defineOrchestration('HelloSequence', async (ctx) => [
          await ctx.callActivity(sayHello, 'Tokyo'),
          await ctx.callActivity('SayGoodbye', 'Seattle'),
        ]),
      ),
    );
    const result = await edited.execute(history, []);
    expect(result.completion).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'NonDeterminismError',
        errorMessage: expect.stringContaining("TaskScheduled 'SayHello' at step 1"),
      },
    });
  });
});

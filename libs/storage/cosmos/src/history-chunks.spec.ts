import { InvalidArgumentError, newEvent, type HistoryEvent } from '@durable/core';
import {
  emptyHistory,
  eventSize,
  itemId,
  planHistory,
  rewritesSpilledEvents,
  splitIntoChunks,
  stitchHistory,
  type ExecutionHistory,
  type HistoryChunk,
  type HistoryPlan,
} from './history-chunks';

const raised = (name: string): HistoryEvent =>
  newEvent('EventRaised', '2026-01-01T00:00:00.000Z', { name, input: '"padding-padding-padding"' });
const batch = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => raised(String(from + i)));
const names = (events: readonly HistoryEvent[]) =>
  events.map((e) => (e.type === 'EventRaised' ? e.name : e.type));

const size = eventSize(raised('10'));
const limits = { inlineBytes: 5 * size, chunkBytes: 3 * size };

function ids() {
  let n = 0;
  return () => `c${n++}`;
}

/** Applies a plan the way the store does: chunks are stored, the document keeps `plan.history`. */
function apply(store: Map<string, HistoryChunk>, plan: HistoryPlan): ExecutionHistory {
  for (const chunk of plan.chunks) store.set(chunk.id, chunk);
  for (const id of plan.unreferenced) store.delete(id);
  return plan.history;
}

const read = (store: Map<string, HistoryChunk>, history: ExecutionHistory) =>
  names(stitchHistory(history, [...store.values()]));

describe('planHistory', () => {
  it('keeps a history that fits inline in the document', () => {
    const plan = planHistory(
      {
        previous: undefined,
        executionId: 'e1',
        append: { executionId: 'e1', fromIndex: 0, events: batch(10, 3) },
        recordBytes: 0,
      },
      limits,
    );
    expect(plan.chunks).toEqual([]);
    expect(plan.history).toMatchObject({ fromIndex: 0, bytes: 3 * size });
    expect(names(plan.history.events)).toEqual(['10', '11', '12']);
  });

  it('spills the inline events and the new ones into chunks once they pass the budget', () => {
    const store = new Map<string, HistoryChunk>();
    const newId = ids();
    let history = apply(
      store,
      planHistory(
        {
          previous: undefined,
          executionId: 'e1',
          append: { executionId: 'e1', fromIndex: 0, events: batch(10, 4) },
          recordBytes: 0,
        },
        limits,
        newId,
      ),
    );
    const plan = planHistory(
      {
        previous: history,
        executionId: 'e1',
        append: { executionId: 'e1', fromIndex: 4, events: batch(14, 3) },
        recordBytes: 0,
      },
      limits,
      newId,
    );
    expect(plan.chunks.map((c) => [c.fromIndex, c.count])).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
    ]);
    history = apply(store, plan);
    expect(history).toMatchObject({ fromIndex: 7, events: [], bytes: 0 });
    expect(read(store, history)).toEqual(batch(10, 7).map((e) => (e as { name: string }).name));
  });

  it('counts the record against the inline budget', () => {
    const plan = planHistory(
      {
        previous: undefined,
        executionId: 'e1',
        append: { executionId: 'e1', fromIndex: 0, events: batch(10, 3) },
        recordBytes: 3 * size,
      },
      limits,
    );
    expect(plan.chunks).toHaveLength(1);
  });

  it('rewrites from an inline index, keeping the events before it', () => {
    const previous: ExecutionHistory = { ...emptyHistory('e1'), events: batch(0, 3), bytes: 3 * size };
    const plan = planHistory(
      {
        previous,
        executionId: 'e1',
        append: { executionId: 'e1', fromIndex: 1, events: [raised('x')] },
        recordBytes: 0,
      },
      limits,
    );
    expect(names(plan.history.events)).toEqual(['0', 'x']);
    expect(plan.history.bytes).toBe(eventSize(raised('0')) + eventSize(raised('x')));
  });

  it('rewrites spilled events from the spilled history the caller read', () => {
    const store = new Map<string, HistoryChunk>();
    const newId = ids();
    const history = apply(
      store,
      planHistory(
        {
          previous: undefined,
          executionId: 'e1',
          append: { executionId: 'e1', fromIndex: 0, events: batch(0, 8) },
          recordBytes: 0,
        },
        limits,
        newId,
      ),
    );
    const change = {
      previous: history,
      executionId: 'e1',
      append: { executionId: 'e1', fromIndex: 2, events: [raised('x')] },
    };
    expect(rewritesSpilledEvents(change)).toBe(true);
    expect(() => planHistory({ ...change, recordBytes: 0 }, limits, newId)).toThrow(/spilled events/);
    const spilled = stitchHistory(history, [...store.values()]);
    const plan = planHistory({ ...change, recordBytes: 0, spilled }, limits, newId);
    expect([...plan.unreferenced].sort()).toEqual(history.chunks.map((c) => c.id).sort());
    const rewritten = apply(store, plan);
    expect(read(store, rewritten)).toEqual(['0', '1', 'x']);
  });

  it('starts an empty history for a new execution and lets go of the old chunks', () => {
    const previous: ExecutionHistory = {
      executionId: 'e1',
      chunks: [{ id: 'old', fromIndex: 0, count: 4 }],
      fromIndex: 4,
      events: batch(4, 1),
      bytes: size,
    };
    const plan = planHistory(
      {
        previous,
        executionId: 'e2',
        append: { executionId: 'e2', fromIndex: 0, events: [raised('a')] },
        dropHistoryOf: 'e1',
        recordBytes: 0,
      },
      limits,
    );
    expect(plan.history).toMatchObject({ executionId: 'e2', chunks: [], fromIndex: 0 });
    expect(names(plan.history.events)).toEqual(['a']);
    expect(plan.unreferenced).toEqual(['old']);
  });

  it('keeps the history when only the record changes', () => {
    const previous: ExecutionHistory = {
      executionId: 'e1',
      chunks: [{ id: 'old', fromIndex: 0, count: 4 }],
      fromIndex: 4,
      events: batch(4, 1),
      bytes: size,
    };
    const plan = planHistory({ previous, executionId: 'e1', recordBytes: 0 }, limits);
    expect(plan.history).toBe(previous);
    expect(plan.chunks).toEqual([]);
    expect(plan.unreferenced).toEqual([]);
  });

  it('makes the events of a replace the whole history', () => {
    const previous: ExecutionHistory = {
      executionId: 'e1',
      chunks: [{ id: 'old', fromIndex: 0, count: 4 }],
      fromIndex: 4,
      events: batch(4, 1),
      bytes: size,
    };
    const plan = planHistory(
      {
        previous,
        executionId: 'e1',
        append: { executionId: 'e1', fromIndex: 0, events: [raised('r')], replace: true },
        recordBytes: 0,
      },
      limits,
    );
    expect(plan.history).toMatchObject({ chunks: [], fromIndex: 0 });
    expect(names(plan.history.events)).toEqual(['r']);
    expect(plan.unreferenced).toEqual(['old']);
  });

  it('refuses an append that leaves a gap or belongs to another execution', () => {
    expect(() =>
      planHistory(
        {
          previous: undefined,
          executionId: 'e1',
          append: { executionId: 'e1', fromIndex: 2, events: [raised('a')] },
          recordBytes: 0,
        },
        limits,
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      planHistory(
        {
          previous: undefined,
          executionId: 'e1',
          append: { executionId: 'e0', fromIndex: 0, events: [raised('a')] },
          recordBytes: 0,
        },
        limits,
      ),
    ).toThrow(InvalidArgumentError);
  });
});

describe('splitIntoChunks', () => {
  it('cuts at the byte limit and gives an oversized event a chunk of its own', () => {
    const big = newEvent('EventRaised', '2026-01-01T00:00:00.000Z', { name: 'big', input: 'x'.repeat(500) });
    const events = [raised('a'), raised('b'), big, raised('c')];
    const chunks = splitIntoChunks('e/1', 7, events, 2 * size, ids());
    expect(chunks.map((c) => [c.fromIndex, c.count])).toEqual([
      [7, 2],
      [9, 1],
      [10, 1],
    ]);
    expect(chunks[0]?.id).toBe('e%2F1:7:c0');
    expect(chunks.flatMap((c) => c.events)).toEqual(events);
  });
});

describe('stitchHistory', () => {
  const history: ExecutionHistory = {
    executionId: 'e1',
    chunks: [
      { id: 'a', fromIndex: 0, count: 2 },
      { id: 'b', fromIndex: 2, count: 1 },
    ],
    fromIndex: 3,
    events: [raised('3')],
    bytes: size,
  };
  const chunk = (id: string, fromIndex: number, events: HistoryEvent[]): HistoryChunk => ({
    id,
    executionId: 'e1',
    fromIndex,
    count: events.length,
    events,
  });

  it('puts the listed chunks in order, ignores others, then the inline events', () => {
    const orphan = chunk('orphan', 2, [raised('lost')]);
    expect(
      names(stitchHistory(history, [chunk('b', 2, [raised('2')]), orphan, chunk('a', 0, batch(0, 2))])),
    ).toEqual(['0', '1', '2', '3']);
  });

  it('throws when a listed chunk is missing or does not line up', () => {
    expect(() => stitchHistory(history, [chunk('a', 0, batch(0, 2))])).toThrow(/'b'/);
    expect(() => stitchHistory(history, [chunk('a', 0, batch(0, 1)), chunk('b', 2, [raised('2')])])).toThrow(
      /'a'/,
    );
  });
});

describe('itemId', () => {
  it('escapes the characters Cosmos DB ids refuse, reversibly and keeping prefixes', () => {
    expect(itemId('plain-id_1')).toBe('plain-id_1');
    expect(itemId('a/b\\c?d#e%f')).toBe('a%2Fb%5Cc%3Fd%23e%25f');
    expect(itemId('a/b/c').startsWith(itemId('a/b'))).toBe(true);
    expect(itemId('%2F')).not.toBe(itemId('/'));
  });
});

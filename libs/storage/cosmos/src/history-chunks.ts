// How the history of an instance's current execution is laid out: the newest events inline in the
// instance document (so a commit is usually one write), older ones spilled into chunk items that the
// document lists. The document is the commit point: a chunk it does not list is an orphan of a failed
// commit and is never read.
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type HistoryEvent } from '@durable/core';
import type { HistoryAppend } from '@durable/storage';

export interface ChunkRef {
  readonly id: string;
  readonly fromIndex: number;
  readonly count: number;
}

export interface HistoryChunk extends ChunkRef {
  readonly executionId: string;
  readonly events: readonly HistoryEvent[];
}

/** What an instance document holds of its current execution's history. */
export interface ExecutionHistory {
  readonly executionId: string;
  /** Spilled events [0, fromIndex), in order. */
  readonly chunks: readonly ChunkRef[];
  /** Index of the first inline event. */
  readonly fromIndex: number;
  readonly events: readonly HistoryEvent[];
  /** UTF-8 size of the inline events as JSON, to decide when to spill without re-serialising them. */
  readonly bytes: number;
}

export interface HistoryLimits {
  /** Spill once the record plus its inline events would exceed this many bytes. */
  readonly inlineBytes: number;
  /** Largest chunk item (a single larger event still gets a chunk of its own). */
  readonly chunkBytes: number;
}

export interface HistoryPlan {
  readonly history: ExecutionHistory;
  /** Chunk items to write before the document that lists them. */
  readonly chunks: readonly HistoryChunk[];
  /** Chunks the previous document listed and this one does not: delete them after the commit. */
  readonly unreferenced: readonly string[];
}

export interface HistoryChange {
  /** The history the document holds now (undefined when creating it). */
  readonly previous: ExecutionHistory | undefined;
  /** The execution the new record belongs to: the document keeps only its history. */
  readonly executionId: string;
  readonly append?: HistoryAppend;
  readonly dropHistoryOf?: string;
  /** Size of the record as JSON; it shares the document with the inline events. */
  readonly recordBytes: number;
  /** Events [0, previous.fromIndex), needed only when `rewritesSpilledEvents` says so. */
  readonly spilled?: readonly HistoryEvent[];
}

export function emptyHistory(executionId: string): ExecutionHistory {
  return { executionId, chunks: [], fromIndex: 0, events: [], bytes: 0 };
}

export function historyLength(history: ExecutionHistory): number {
  return history.fromIndex + history.events.length;
}

/** Cosmos item ids may not contain `/ \ ? #`; escape them (and `%`) so any string can be an id. */
export function itemId(text: string): string {
  return text.replace(/[%/\\?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The history the document keeps after the change, before any append. */
function baseOf(change: HistoryChange): ExecutionHistory {
  const { previous, executionId } = change;
  const kept =
    previous !== undefined &&
    previous.executionId === executionId &&
    change.dropHistoryOf !== executionId &&
    change.append?.replace !== true;
  return kept ? previous : emptyHistory(executionId);
}

/** True when the append rewrites events that were spilled, so the caller must read them first. */
export function rewritesSpilledEvents(change: Omit<HistoryChange, 'spilled' | 'recordBytes'>): boolean {
  const base = baseOf({ ...change, recordBytes: 0 });
  return change.append !== undefined && change.append.fromIndex < base.fromIndex;
}

/**
 * Plans one instance write: appends go inline while they fit, otherwise the inline events and the new
 * ones are spilled to chunk items. An append below the current length rewrites from there on (a
 * resent commit writes the same events again); `replace` makes the events the whole history.
 */
export function planHistory(
  change: HistoryChange,
  limits: HistoryLimits,
  newChunkId: () => string = () => randomBytes(9).toString('base64url'),
): HistoryPlan {
  const { previous, append, executionId } = change;
  let base = baseOf(change);
  let added: readonly HistoryEvent[] = [];
  if (append !== undefined) {
    if (append.executionId !== executionId) {
      throw new InvalidArgumentError(
        `history of execution '${append.executionId}' cannot be written with a record of execution '${executionId}'`,
      );
    }
    const length = historyLength(base);
    if (append.replace === true) {
      added = append.events;
    } else if (append.fromIndex > length) {
      throw new InvalidArgumentError(
        `history append at index ${append.fromIndex} would leave a gap after ${length} events`,
      );
    } else if (append.fromIndex < base.fromIndex) {
      if (change.spilled === undefined) throw new Error('the spilled events are needed to rewrite them');
      added = [...change.spilled.slice(0, append.fromIndex), ...append.events];
      base = emptyHistory(executionId);
    } else {
      const kept = base.events.slice(0, append.fromIndex - base.fromIndex);
      if (kept.length < base.events.length) base = { ...base, events: kept, bytes: sizeOf(kept) };
      added = append.events;
    }
  }

  const addedSizes = added.map(eventSize);
  const addedBytes = addedSizes.reduce((sum, size) => sum + size, 0);
  let history: ExecutionHistory;
  let chunks: HistoryChunk[] = [];
  if (change.recordBytes + base.bytes + addedBytes <= limits.inlineBytes) {
    history =
      added.length === 0
        ? base
        : { ...base, events: [...base.events, ...added], bytes: base.bytes + addedBytes };
  } else {
    const events = [...base.events, ...added];
    chunks = splitIntoChunks(executionId, base.fromIndex, events, limits.chunkBytes, newChunkId, [
      ...base.events.map(eventSize),
      ...addedSizes,
    ]);
    history = {
      executionId,
      chunks: [...base.chunks, ...chunks.map(({ id, fromIndex, count }) => ({ id, fromIndex, count }))],
      fromIndex: base.fromIndex + events.length,
      events: [],
      bytes: 0,
    };
  }
  const listed = new Set(history.chunks.map((c) => c.id));
  const unreferenced = (previous?.chunks ?? []).map((c) => c.id).filter((id) => !listed.has(id));
  return { history, chunks, unreferenced };
}

/** Splits events into chunks of at most `maxBytes` of JSON each (an event larger than that goes alone). */
export function splitIntoChunks(
  executionId: string,
  fromIndex: number,
  events: readonly HistoryEvent[],
  maxBytes: number,
  newChunkId: () => string,
  sizes: readonly number[] = events.map(eventSize),
): HistoryChunk[] {
  const chunks: HistoryChunk[] = [];
  let start = 0;
  let bytes = 0;
  const cut = (end: number) => {
    const index = fromIndex + start;
    chunks.push({
      // Ids are fresh per write, so a writer that lost the race can never overwrite a listed chunk.
      id: `${itemId(executionId)}:${index}:${newChunkId()}`,
      executionId,
      fromIndex: index,
      count: end - start,
      events: events.slice(start, end),
    });
    start = end;
    bytes = 0;
  };
  events.forEach((_, i) => {
    const size = sizes[i] ?? 0;
    if (i > start && bytes + size > maxBytes) cut(i);
    bytes += size;
  });
  if (start < events.length) cut(events.length);
  return chunks;
}

/**
 * The execution's events: the listed chunks (which must be exactly those `history` lists, in any
 * order) followed by the inline events. Throws if they do not line up: a listed chunk is never
 * rewritten, so a mismatch means the data is damaged.
 */
export function stitchHistory(history: ExecutionHistory, chunks: readonly HistoryChunk[]): HistoryEvent[] {
  const byId = new Map(chunks.map((c) => [c.id, c]));
  const events: HistoryEvent[] = [];
  for (const ref of history.chunks) {
    const chunk = byId.get(ref.id);
    if (chunk === undefined || chunk.fromIndex !== events.length || chunk.events.length !== ref.count) {
      throw new Error(
        `history chunk '${ref.id}' does not continue the history of '${history.executionId}' at event ${events.length}`,
      );
    }
    for (const event of chunk.events) events.push(event);
  }
  if (events.length !== history.fromIndex) {
    throw new Error(
      `the chunks of '${history.executionId}' hold ${events.length} events, the document expects ${history.fromIndex}`,
    );
  }
  for (const event of history.events) events.push(event);
  return events;
}

/** Bytes an event adds to a JSON array (its text plus a comma). */
export function eventSize(event: HistoryEvent): number {
  return Buffer.byteLength(JSON.stringify(event)) + 1;
}

function sizeOf(events: readonly HistoryEvent[]): number {
  return events.reduce((sum, event) => sum + eventSize(event), 0);
}

import { InvalidArgumentError } from '@durable/core';

export interface TriggerBinding {
  readonly topic: string;
  readonly orchestration: string;
}

// Kafka's own rule for topic names.
const topicPattern = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Parses `KAFKA_TRIGGERS`-style text: `orders=ProcessOrder,signups=Welcome`. Blank text means no
 * triggers; blank entries (a trailing comma) are skipped. A topic may start one orchestration only.
 */
export function parseTriggerConfig(text: string): TriggerBinding[] {
  const bindings: TriggerBinding[] = [];
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw bad(entry, "expected 'topic=Orchestration'");
    bindings.push({ topic: entry.slice(0, eq).trim(), orchestration: entry.slice(eq + 1).trim() });
  }
  checkTriggers(bindings);
  return bindings;
}

/** Throws InvalidArgumentError unless every binding names a legal topic and an orchestration, once. */
export function checkTriggers(bindings: ReadonlyArray<TriggerBinding>): void {
  const seen = new Set<string>();
  for (const { topic, orchestration } of bindings) {
    const entry = `${topic}=${orchestration}`;
    const topicProblem = topicNameProblem(topic);
    if (topicProblem !== undefined) throw bad(entry, topicProblem);
    if (orchestration === '') throw bad(entry, 'the orchestration name is empty');
    if (seen.has(topic)) throw bad(entry, `topic '${topic}' is bound more than once`);
    seen.add(topic);
  }
}

/** Why `topic` is not a legal Kafka topic name, or undefined when it is. */
export function topicNameProblem(topic: string): string | undefined {
  if (topicPattern.test(topic) && topic !== '.' && topic !== '..') return undefined;
  return `'${topic}' is not a valid Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`;
}

function bad(entry: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid Kafka trigger '${entry.trim()}': ${reason}`);
}

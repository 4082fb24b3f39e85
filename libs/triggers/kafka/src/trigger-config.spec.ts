import { InvalidArgumentError } from '@durable/core';
import { parseTriggerConfig } from './trigger-config';

describe('parseTriggerConfig', () => {
  it('reads topic=Orchestration pairs, trimming spaces', () => {
    expect(parseTriggerConfig(' orders = ProcessOrder , signups=Welcome')).toEqual([
      { topic: 'orders', orchestration: 'ProcessOrder' },
      { topic: 'signups', orchestration: 'Welcome' },
    ]);
  });

  it('reads blank text as no triggers and skips a trailing comma', () => {
    expect(parseTriggerConfig('')).toEqual([]);
    expect(parseTriggerConfig('  ')).toEqual([]);
    expect(parseTriggerConfig('orders=ProcessOrder,')).toEqual([
      { topic: 'orders', orchestration: 'ProcessOrder' },
    ]);
  });

  it('lets several topics start the same orchestration', () => {
    expect(parseTriggerConfig('eu.orders=ProcessOrder,us.orders=ProcessOrder')).toHaveLength(2);
  });

  it.each([
    ['orders', "invalid Kafka trigger 'orders': expected 'topic=Orchestration'"],
    ['=ProcessOrder', "invalid Kafka trigger '=ProcessOrder': '' is not a valid Kafka topic name"],
    ['orders=', "invalid Kafka trigger 'orders=': the orchestration name is empty"],
    ['my orders=X', "'my orders' is not a valid Kafka topic name"],
    ['../x=X', "'../x' is not a valid Kafka topic name"],
    ['..=X', "'..' is not a valid Kafka topic name"],
    ['orders=A,orders=B', "invalid Kafka trigger 'orders=B': topic 'orders' is bound more than once"],
  ])('rejects %j with a reason', (text, reason) => {
    expect(() => parseTriggerConfig(text)).toThrow(InvalidArgumentError);
    expect(() => parseTriggerConfig(text)).toThrow(reason);
  });

  it('rejects a topic name longer than 249 characters', () => {
    expect(() => parseTriggerConfig(`${'t'.repeat(249)}=X`)).not.toThrow();
    expect(() => parseTriggerConfig(`${'t'.repeat(250)}=X`)).toThrow('is not a valid Kafka topic name');
  });

  it('keeps everything after the first = as the orchestration name', () => {
    expect(parseTriggerConfig('orders=Process=Order')).toEqual([
      { topic: 'orders', orchestration: 'Process=Order' },
    ]);
  });
});

export {
  KafkaTriggerConsumer,
  type KafkaTriggerOptions,
  type TriggerLogger,
  type TriggerTarget,
} from './kafka-trigger-consumer';
export {
  chooseInstanceId,
  classifyFailure,
  deadLetterHeader,
  decideRecord,
  instanceIdHeader,
  retryDelayMs,
  type DeadLetter,
  type RecordDecision,
  type RetryPolicy,
  type TriggerRecord,
} from './record-decision';
export { parseTriggerConfig, type TriggerBinding } from './trigger-config';

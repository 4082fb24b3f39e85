export { cosmosTestKey, CosmosServer } from './cosmos-server';
export { ensureKafkaJars, KafkaBroker, kafkaVersion, type BrokerOptions } from './kafka-broker';

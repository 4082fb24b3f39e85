export { appOutput, ensureAppBuilt, installUserApp } from './app-build';
export { AppProcess, type AppName } from './app-process';
export { DistributedCluster, type ClusterOptions } from './cluster';
export { cosmosTestKey, CosmosServer, CosmosServerProcess, type CosmosUsage } from './cosmos-server';
export { ensureKafkaJars, KafkaBroker, kafkaVersion, type BrokerOptions } from './kafka-broker';
export { OtlpReceiver, spansOf, type ReceivedSpan } from './otlp-receiver';
export { OidcProviderProcess, type OidcProviderSettings } from './oidc-provider';

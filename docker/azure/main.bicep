// Durable in distributed mode on Azure Container Apps: a Log Analytics workspace, a Container Apps
// environment and the three apps. Kafka (Event Hubs' Kafka endpoint or Confluent Cloud) and the
// Cosmos DB account are brought by the caller, as parameters.
//   az deployment group create -g <group> -f docker/azure/main.bicep -p docker/azure/main.parameters.json

@description('Location of every resource.')
param location string = resourceGroup().location

@description('Prefix of the resource names (lowercase letters, digits, dashes); app names stay within 32 characters.')
@minLength(3)
@maxLength(10)
param namePrefix string = 'durable'

@description('Frontend image, e.g. myregistry.azurecr.io/durable-frontend:0.1.0 (docker/frontend.Dockerfile).')
param frontendImage string

@description('Orchestration worker image (docker/orchestration-worker.Dockerfile).')
param orchestrationWorkerImage string

@description('Activity worker image (docker/activity-worker.Dockerfile).')
param activityWorkerImage string

@description('Registry of the images, e.g. myregistry.azurecr.io; empty for a public registry.')
param registryServer string = ''

param registryUsername string = ''

@secure()
param registryPassword string = ''

@description('Task hub: names the Kafka topics, consumer groups and Cosmos DB containers.')
param taskHub string = 'durable'

@description('More task hubs the apps serve (TASK_HUBS), each on its own topics, groups and containers; requests pick one with taskHub (REST) or taskhub (gRPC metadata).')
param taskHubs array = []

@description('Partitions of <hub>.partitions: at most this many orchestration workers can own one each.')
@minValue(1)
@maxValue(1024)
param partitionCount int = 12

@description('Partitions of <hub>.activities: at most this many activity workers can own one each.')
@minValue(1)
@maxValue(1024)
param activityPartitionCount int = partitionCount

@description('Kafka bootstrap servers, host:port (Event Hubs: <namespace>.servicebus.windows.net:9093).')
param kafkaBrokers string

@description('SASL/PLAIN user name over TLS (Event Hubs: $ConnectionString; Confluent: the API key).')
param kafkaSaslUsername string = '$ConnectionString'

@description('SASL/PLAIN password (Event Hubs: the namespace connection string; Confluent: the API secret).')
@secure()
param kafkaSaslPassword string

@description('Cosmos DB (NoSQL) account endpoint, https://<account>.documents.azure.com:443/.')
param cosmosEndpoint string

@description('Cosmos DB account key.')
@secure()
param cosmosKey string

@description('API keys of the HTTP and gRPC APIs: role:key entries (reader, contributor, worker, admin; role@hub for one task hub), comma-separated; keys of 16 characters or more, or role:sha256:<hex>. Empty only with OIDC.')
@secure()
param durableApiKeys string = ''

@description('OpenID Connect issuer whose bearer tokens are accepted, e.g. https://login.microsoftonline.com/<tenant>/v2.0; empty for API keys only.')
param oidcIssuer string = ''

@description('Audience the tokens must carry (with oidcIssuer), e.g. api://durable.')
param oidcAudience string = ''

@description('Token role claim values to Durable roles, e.g. Durable.Reader=reader,Durable.Writer=contributor.')
param oidcRoleMap string = ''

@description('The dashboard\'s public client at oidcIssuer (redirect URI <frontend>/dashboard/), for its Sign in button; empty: tokens are pasted.')
param oidcClientId string = ''

@description('Scopes the dashboard asks for (with oidcClientId), e.g. api://durable/Durable.Access.')
param oidcScopes string = ''

@description('Kafka topics that start orchestrations, topic=Orchestration,... (frontend).')
param kafkaTriggers string = ''

@description('Unprocessed messages per replica before KEDA adds a worker.')
param lagThreshold int = 100

param frontendMaxReplicas int = 3

@description('Bounded by partitionCount below.')
param orchestrationWorkerMaxReplicas int = 12

@description('Bounded by activityPartitionCount below.')
param activityWorkerMaxReplicas int = 12

var frontendPort = 7071
var orchestrationWorkerPort = 7072
var activityWorkerPort = 7073

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

var allTaskHubs = union([taskHub], taskHubs)

var registrySecrets = empty(registryServer) ? [] : [{ name: 'registry-password', value: registryPassword }]
var registries = empty(registryServer)
  ? []
  : [{ server: registryServer, username: registryUsername, passwordSecretRef: 'registry-password' }]

var apiKeySecrets = empty(durableApiKeys) ? [] : [{ name: 'durable-api-keys', value: durableApiKeys }]

var secrets = concat(
  [
    { name: 'cosmos-key', value: cosmosKey }
    { name: 'kafka-username', value: kafkaSaslUsername }
    { name: 'kafka-password', value: kafkaSaslPassword }
  ],
  apiKeySecrets,
  registrySecrets
)

// Authentication is on: with neither API keys nor an OIDC issuer the apps refuse to start, saying so.
var authEnv = concat(
  [{ name: 'DURABLE_AUTH', value: 'on' }],
  empty(durableApiKeys) ? [] : [{ name: 'DURABLE_API_KEYS', secretRef: 'durable-api-keys' }],
  empty(oidcIssuer)
    ? []
    : [
        { name: 'DURABLE_OIDC_ISSUER', value: oidcIssuer }
        { name: 'DURABLE_OIDC_AUDIENCE', value: oidcAudience }
      ],
  empty(oidcRoleMap) ? [] : [{ name: 'DURABLE_OIDC_ROLE_MAP', value: oidcRoleMap }],
  empty(oidcClientId) ? [] : [{ name: 'DURABLE_OIDC_CLIENT_ID', value: oidcClientId }],
  empty(oidcClientId) || empty(oidcScopes) ? [] : [{ name: 'DURABLE_OIDC_SCOPES', value: oidcScopes }]
)

// What every app reads. The Kafka client settings (KAFKA_SASL_*, KAFKA_SSL) go with KAFKA_BROKERS.
var commonEnv = concat(authEnv, [
  { name: 'DURABLE_MODE', value: 'distributed' }
  { name: 'HOST', value: '0.0.0.0' }
  { name: 'TASK_HUB', value: taskHub }
  { name: 'TASK_HUBS', value: join(allTaskHubs, ',') }
  { name: 'PARTITION_COUNT', value: string(partitionCount) }
  { name: 'ACTIVITY_PARTITION_COUNT', value: string(activityPartitionCount) }
  { name: 'KAFKA_BROKERS', value: kafkaBrokers }
  { name: 'KAFKA_SSL', value: 'true' }
  { name: 'KAFKA_SASL_MECHANISM', value: 'plain' }
  { name: 'KAFKA_SASL_USERNAME', secretRef: 'kafka-username' }
  { name: 'KAFKA_SASL_PASSWORD', secretRef: 'kafka-password' }
  { name: 'COSMOS_ENDPOINT', value: cosmosEndpoint }
  { name: 'COSMOS_KEY', secretRef: 'cosmos-key' }
])

var resources = { cpu: json('0.5'), memory: '1Gi' }

// Alive while /health answers; ready (/health/ready) once the app has joined its consumer group
// and connected its stores. Startup allows a minute for that.
func healthProbes(port int) array => [
  { type: 'Startup', httpGet: { path: '/health', port: port }, periodSeconds: 5, failureThreshold: 12 }
  { type: 'Liveness', httpGet: { path: '/health', port: port }, periodSeconds: 10, failureThreshold: 3 }
  { type: 'Readiness', httpGet: { path: '/health/ready', port: port }, periodSeconds: 10, failureThreshold: 3 }
]

// KEDA's kafka scaler on a consumer group's lag; it authenticates like the apps do.
func kafkaScaleRule(name string, brokers string, group string, topic string, threshold int) object => {
  name: name
  custom: {
    type: 'kafka'
    metadata: {
      bootstrapServers: brokers
      consumerGroup: group
      topic: topic
      lagThreshold: string(threshold)
      // A new hub's groups start from the beginning of the topic.
      offsetResetPolicy: 'earliest'
      sasl: 'plaintext'
      tls: 'enable'
    }
    auth: [
      { secretRef: 'kafka-username', triggerParameter: 'username' }
      { secretRef: 'kafka-password', triggerParameter: 'password' }
    ]
  }
}

resource frontend 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-frontend'
  location: location
  properties: {
    environmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      secrets: secrets
      registries: registries
      ingress: {
        external: true
        targetPort: frontendPort
        transport: 'auto'
      }
    }
    template: {
      containers: [
        {
          name: 'frontend'
          image: frontendImage
          resources: resources
          env: concat(commonEnv, [
            { name: 'PORT', value: string(frontendPort) }
            { name: 'KAFKA_TRIGGERS', value: kafkaTriggers }
          ])
          probes: healthProbes(frontendPort)
        }
      ]
      scale: {
        minReplicas: 1
        maxReplicas: frontendMaxReplicas
        rules: [{ name: 'http', http: { metadata: { concurrentRequests: '100' } } }]
      }
    }
  }
}

resource orchestrationWorker 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-orchestration-worker'
  location: location
  properties: {
    environmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      secrets: secrets
      registries: registries
      // No ingress: workers take their work from Kafka.
    }
    template: {
      containers: [
        {
          name: 'orchestration-worker'
          image: orchestrationWorkerImage
          resources: resources
          env: concat(commonEnv, [{ name: 'PORT', value: string(orchestrationWorkerPort) }])
          probes: healthProbes(orchestrationWorkerPort)
        }
      ]
      scale: {
        minReplicas: 1
        // A partition has one owner: replicas beyond the partition count would sit idle.
        maxReplicas: min(orchestrationWorkerMaxReplicas, partitionCount)
        // One rule per task hub: KEDA scales on the largest lag among them.
        rules: [
          for hub in allTaskHubs: kafkaScaleRule('partition-lag-${toLower(hub)}', kafkaBrokers, '${hub}.orchestration-workers', '${hub}.partitions', lagThreshold)
        ]
      }
    }
  }
}

resource activityWorker 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-activity-worker'
  location: location
  properties: {
    environmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      secrets: secrets
      registries: registries
    }
    template: {
      containers: [
        {
          name: 'activity-worker'
          image: activityWorkerImage
          resources: resources
          env: concat(commonEnv, [{ name: 'PORT', value: string(activityWorkerPort) }])
          probes: healthProbes(activityWorkerPort)
        }
      ]
      scale: {
        minReplicas: 1
        // A partition of <hub>.activities has one owner: replicas beyond its partitions would sit idle.
        maxReplicas: min(activityWorkerMaxReplicas, activityPartitionCount)
        rules: [
          for hub in allTaskHubs: kafkaScaleRule('activity-lag-${toLower(hub)}', kafkaBrokers, '${hub}.activity-workers', '${hub}.activities', lagThreshold)
        ]
      }
    }
  }
}

output frontendUrl string = 'https://${frontend.properties.configuration.ingress.fqdn}'

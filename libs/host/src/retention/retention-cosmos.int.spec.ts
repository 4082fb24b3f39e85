import { Agent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { describeRetention } from '@durable/retention/testing';
import { CosmosStateStore } from '@durable/storage-cosmos';
import { CosmosServer, cosmosTestKey } from '@durable/tools/servers';

let server: CosmosServer;
let admin: CosmosClient;
let agent: Agent;
let databases = 0;

beforeAll(async () => {
  server = await CosmosServer.start();
  agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  admin = new CosmosClient({
    endpoint: server.endpoint,
    key: cosmosTestKey,
    agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
});

afterAll(async () => {
  admin?.dispose();
  agent?.destroy();
  await server?.stop();
});

describeRetention('the Cosmos DB store (cosmosdb-server)', async () => {
  const databaseId = `retention-${++databases}`;
  return {
    open: () =>
      CosmosStateStore.open({
        endpoint: server.endpoint,
        key: cosmosTestKey,
        allowSelfSignedCertificate: true,
        databaseId,
        hub: 'durable',
      }),
    cleanup: async () => {
      await admin.database(databaseId).delete();
    },
  };
});

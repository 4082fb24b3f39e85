import { describeRetention } from '@durable/retention/testing';
import { CosmosStateStore } from '@durable/storage-cosmos';
import { CosmosServer, cosmosTestKey } from '@durable/tools/servers';

let server: CosmosServer;
let databases = 0;

beforeAll(async () => {
  server = await CosmosServer.start();
});

afterAll(async () => {
  await server?.stop();
});

// A database per test; the in-process server keeps them in memory and drops them when it stops.
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
    cleanup: async () => undefined,
  };
});

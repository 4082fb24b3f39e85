// The activity-worker app of the distributed mode: configured by environment (KAFKA_BROKERS,
// COSMOS_ENDPOINT, COSMOS_KEY, TASK_HUB, PARTITION_COUNT, PORT; see the README), serving /health and
// /health/ready on PORT (default 7073).
import { startActivityWorker, runWorkerApp } from '@durable/host';
import { registry } from '@durable/samples';

runWorkerApp(
  { name: 'activity-worker', defaultPort: 7073, defaultRegistry: registry, start: startActivityWorker },
  process.env,
  process.cwd(),
).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

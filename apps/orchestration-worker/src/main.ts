// The orchestration-worker app of the distributed mode: configured by environment (KAFKA_BROKERS,
// COSMOS_ENDPOINT, COSMOS_KEY, TASK_HUB, PARTITION_COUNT, PORT; see the README), serving /health and
// /health/ready on PORT (default 7072).
import { startOrchestrationWorker, runWorkerApp } from '@durable/host';
import { registry } from '@durable/samples';

runWorkerApp(
  {
    name: 'orchestration-worker',
    defaultPort: 7072,
    defaultRegistry: registry,
    start: startOrchestrationWorker,
  },
  process.env,
  process.cwd(),
).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

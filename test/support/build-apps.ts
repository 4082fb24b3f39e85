// Jest global setup of the end-to-end suites: the distributed suites run each app from its build
// output (`node dist/apps/<app>/main.js`), so build the apps whose output is missing or stale.
// Jest loads its global setup outside its module mapper, where the @durable/* aliases do not resolve.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureAppBuilt } from '../../tools/servers/app-build';

export default function buildApps(): void {
  for (const app of ['frontend', 'orchestration-worker', 'activity-worker'] as const) ensureAppBuilt(app);
}

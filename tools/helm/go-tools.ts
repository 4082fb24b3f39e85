import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Pinned: the chart is checked with these, built from their Go modules (the Go module proxy is the
// one place this machine and CI can get them from).
export const goTools = {
  helm: { module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.21.4' },
  kubeconform: { module: 'github.com/yannh/kubeconform/cmd/kubeconform', version: 'v0.7.0' },
} as const;
export type GoTool = keyof typeof goTools;

const root = join(__dirname, '..', '..');
const cache = join(root, '.cache', 'go');
const bin = join(cache, 'bin');
const stamp = join(bin, 'versions.json');

/** Where the tool's binary is once installed. */
export function goToolPath(tool: GoTool): string {
  return join(bin, tool);
}

/**
 * Installs the pinned tools into .cache/go/bin with `go install` unless they are there at these
 * versions already; the module and build caches are removed after (they are ~1 GB for helm).
 */
export function ensureGoTools(log: (line: string) => void = () => undefined): Record<GoTool, string> {
  const installed = existsSync(stamp)
    ? (JSON.parse(readFileSync(stamp, 'utf8')) as Record<string, string>)
    : {};
  const missing = (Object.keys(goTools) as GoTool[]).filter(
    (tool) => installed[tool] !== goTools[tool].version || !existsSync(goToolPath(tool)),
  );
  if (missing.length > 0) {
    const env = {
      ...process.env,
      GOBIN: bin,
      GOMODCACHE: join(cache, 'mod'),
      GOCACHE: join(cache, 'build'),
      // The module cache is read-only by default, which would stop its removal below.
      GOFLAGS: '-modcacherw',
    };
    for (const tool of missing) {
      const { module, version } = goTools[tool];
      log(`go install ${module}@${version} (helm takes a few minutes to build)`);
      try {
        execFileSync('go', ['install', `${module}@${version}`], {
          env,
          stdio: ['ignore', 'inherit', 'inherit'],
        });
      } catch (error) {
        throw new Error(
          `could not build ${tool} ${version} with 'go install' (is Go 1.24+ on the PATH?): ${(error as Error).message}`,
          { cause: error },
        );
      }
      installed[tool] = version;
      writeFileSync(stamp, JSON.stringify(installed, null, 2));
    }
    rmSync(join(cache, 'mod'), { recursive: true, force: true });
    rmSync(join(cache, 'build'), { recursive: true, force: true });
  }
  return { helm: goToolPath('helm'), kubeconform: goToolPath('kubeconform') };
}

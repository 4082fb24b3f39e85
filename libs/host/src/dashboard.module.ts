import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import type { DashboardOidc } from '@durable/auth';

/** Where the frontend serves the dashboard's static files. */
export const dashboardPath = '/dashboard';

const DASHBOARD_DIR = Symbol('DASHBOARD_DIR');
const DASHBOARD_OIDC = Symbol('DASHBOARD_OIDC');

/** `GET /dashboard/config.json`: how the page signs in; `oidc` null when it only takes pasted tokens. */
export interface DashboardConfig {
  readonly oidc: (DashboardOidc & { readonly redirectPath: string }) | null;
}

const isBuild = (dir: string): boolean =>
  existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'));

/**
 * The built dashboard (`dist/apps/dashboard`): `DASHBOARD_DIR` if set, else found walking up from
 * this file, which covers running from the sources and from an app's build output (`dist/apps/<app>`).
 */
export function findDashboardDir(env: NodeJS.ProcessEnv, from = __dirname): string | undefined {
  const configured = env['DASHBOARD_DIR'];
  if (configured !== undefined && configured !== '') return isBuild(configured) ? configured : undefined;
  for (let dir = from; ; dir = dirname(dir)) {
    if (isBuild(join(dir, 'dist', 'apps', 'dashboard'))) return join(dir, 'dist', 'apps', 'dashboard');
    if (basename(dir) === 'apps' && isBuild(join(dir, 'dashboard'))) return join(dir, 'dashboard');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Serves the dashboard's static files at `/dashboard/`. They carry no data (the page calls the public
 * API, which does its own auth), so they are public; registered before Nest's not-found handler. So is
 * its `config.json`, which holds only what a public OIDC client shows anyway (no secret).
 */
@Module({})
export class DashboardModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DASHBOARD_DIR) private readonly dir: string,
    @Inject(DASHBOARD_OIDC) private readonly oidc: DashboardOidc | null,
  ) {}

  /** `oidc`: the issuer's public client the page signs in with (`dashboardOidcFromEnv`). */
  static forRoot(dir: string, oidc?: DashboardOidc): DynamicModule {
    return {
      module: DashboardModule,
      providers: [
        { provide: DASHBOARD_DIR, useValue: dir },
        { provide: DASHBOARD_OIDC, useValue: oidc ?? null },
      ],
    };
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as unknown as ExpressAdapter;
    const config: DashboardConfig = {
      // The page comes back to itself: the identity provider must list <origin>/dashboard/.
      oidc: this.oidc === null ? null : { ...this.oidc, redirectPath: `${dashboardPath}/` },
    };
    adapter.get(`${dashboardPath}/config.json`, (_req: unknown, res: ServerResponse) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify(config));
    });
    adapter.useStaticAssets(this.dir, { prefix: dashboardPath, index: 'index.html' });
  }
}

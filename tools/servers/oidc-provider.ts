import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface OidcProviderSettings {
  /** The one client: public (no secret), PKCE required, like a single-page app. */
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  /** The `aud` of every access token (a JWT). */
  readonly audience: string;
  /** Account (the login name typed at the provider) to the values of its access token's `roles`. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
  readonly accessTokenTtlSeconds?: number;
}

/** A real OpenID Provider on 127.0.0.1 in a child process (oidc-provider-main.ts). */
export class OidcProviderProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(settings: OidcProviderSettings): Promise<OidcProviderProcess> {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'oidc-provider-main.ts')],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, OIDC_PROVIDER_SETTINGS: JSON.stringify(settings) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening (\d+)/.exec(output);
        if (match !== null) resolve(Number(match[1]));
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`the OpenID Provider exited with ${code}:\n${output}`)));
    });
    return new OidcProviderProcess(child, port);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

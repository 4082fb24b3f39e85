// A real OpenID Provider (panva's certified `oidc-provider`) as a process of its own, for the
// dashboard's sign-in tests and local development: one public client (PKCE required), the library's
// development login form (any password; the login name is the account), and access tokens in JWT
// format for one audience, carrying the account's `roles`. Prints its port once listening.
// Settings (JSON in OIDC_PROVIDER_SETTINGS): see OidcProviderSettings in oidc-provider.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type Configuration } from 'oidc-provider';
import type { OidcProviderSettings } from './oidc-provider';

const scope = 'durable';

async function main(): Promise<void> {
  const settings = JSON.parse(process.env['OIDC_PROVIDER_SETTINGS'] ?? '{}') as OidcProviderSettings;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration: Configuration = {
    clients: [
      {
        client_id: settings.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: settings.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
    pkce: { required: () => true },
    scopes: ['openid', scope],
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The dashboard names no `resource`: every access token is for the Durable API.
        defaultResource: () => settings.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== settings.audience) throw new errors.InvalidTarget();
          return {
            scope,
            audience: settings.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.accessTokenTtlSeconds ?? 3600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) =>
      token.kind === 'AccessToken' && token.accountId !== undefined
        ? { roles: settings.roles[token.accountId] ?? [] }
        : undefined,
  };
  const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`listening ${port}\n`);
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

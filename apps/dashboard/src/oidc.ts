// Sign-in with the OIDC issuer the server names (`GET /dashboard/config.json`): authorization code +
// PKCE (S256) as a public client, with oauth4webapi. The access token it gets is stored like a pasted
// one; the API checks it (issuer, audience, roles), so nothing here decides what the user may do.
import * as oauth from 'oauth4webapi';

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: string;
  /** Where the issuer sends the browser back: this page, without its hash. */
  readonly redirectPath: string;
}

/** What a sign-in in progress keeps in the tab until the issuer sends the browser back. */
interface Pending {
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
  /** The dashboard page the user was on, restored afterwards. */
  readonly hash: string;
}

const pendingKey = 'durable.oidc.pending';
let configOnce: Promise<OidcConfig | undefined> | undefined;

/** The issuer's public client, or undefined when the server has none (then tokens are pasted). */
export function oidcConfig(): Promise<OidcConfig | undefined> {
  configOnce ??= fetch('/dashboard/config.json')
    .then((response) => (response.ok ? (response.json() as Promise<{ oidc: OidcConfig | null }>) : undefined))
    .then((body) => body?.oidc ?? undefined)
    .catch(() => undefined);
  return configOnce;
}

const redirectUri = (config: OidcConfig): string => new URL(config.redirectPath, window.location.origin).href;

// Plain HTTP only for an issuer on this machine (a local test provider); anything else needs HTTPS.
const httpOptions = (issuer: URL) => ({
  [oauth.allowInsecureRequests]: ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname),
});

async function discover(config: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...httpOptions(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Sends the browser to the issuer's sign-in page; it comes back to `completeSignIn`. */
export async function beginSignIn(config: OidcConfig): Promise<void> {
  const as = await discover(config);
  if (as.authorization_endpoint === undefined)
    throw new Error(`${config.issuer} has no authorization endpoint`);
  const pending: Pending = {
    codeVerifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    hash: window.location.hash,
  };
  sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri(config));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scopes);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  window.location.assign(url.href);
}

/**
 * When the page is the issuer's answer (`?code=…&state=…` or `?error=…`), checks it against the
 * sign-in this tab began (state, then the ID token's nonce), exchanges the code and answers the access
 * token; undefined when the page is not such an answer. Either way the answer leaves the address bar.
 */
export async function completeSignIn(): Promise<string | undefined> {
  const answer = new URL(window.location.href);
  if (!answer.searchParams.has('state') && !answer.searchParams.has('error')) return undefined;
  const saved = sessionStorage.getItem(pendingKey);
  sessionStorage.removeItem(pendingKey);
  const pending = saved === null ? undefined : (JSON.parse(saved) as Pending);
  window.history.replaceState(null, '', `${answer.pathname}${pending?.hash ?? answer.hash}`);
  const config = await oidcConfig();
  if (config === undefined) throw new Error('the server has no OIDC sign-in configured');
  if (pending === undefined) throw new Error('a sign-in answer this tab did not ask for: sign in again');
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, answer, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(config),
    pending.codeVerifier,
    httpOptions(new URL(config.issuer)),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  return tokens.access_token;
}

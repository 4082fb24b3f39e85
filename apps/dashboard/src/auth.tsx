import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { canWrite, onUnauthorized, storeToken, whoami, type Whoami } from './api';
import { beginSignIn, oidcConfig, type OidcConfig } from './oidc';

let signInFailure: string | undefined;

/** Keeps why a sign-in with the issuer failed, for the sign-in box to say. */
export function noteSignInFailure(error: unknown): void {
  const described = error as { message?: string; error?: string; error_description?: string };
  signInFailure = [described.message ?? String(error), described.error, described.error_description]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
}

interface Access {
  readonly who: Whoami | undefined;
  /** False for a reader: actions are hidden or disabled. */
  readonly writable: boolean;
  readonly refresh: () => void;
  /** Opens the sign-in box. */
  readonly signIn: () => void;
}

const AccessContext = createContext<Access>({
  who: undefined,
  writable: false,
  refresh: () => undefined,
  signIn: () => undefined,
});

export const useAccess = (): Access => useContext(AccessContext);

export function AccessProvider({ children }: { children: ReactNode }): ReactNode {
  const [who, setWho] = useState<Whoami>();
  const [signIn, setSignIn] = useState(signInFailure !== undefined);
  const refresh = useCallback(() => {
    void whoami().then(setWho, () => setWho({ authenticated: false, roles: [], authEnabled: true }));
  }, []);
  useEffect(() => {
    refresh();
    return onUnauthorized(() => setSignIn(true));
  }, [refresh]);
  return (
    <AccessContext.Provider
      value={{ who, writable: who !== undefined && canWrite(who), refresh, signIn: () => setSignIn(true) }}
    >
      {children}
      {signIn ? (
        <SignIn
          onDone={() => {
            setSignIn(false);
            refresh();
          }}
        />
      ) : null}
    </AccessContext.Provider>
  );
}

function SignIn({ onDone }: { onDone: () => void }): ReactNode {
  const [token, setToken] = useState('');
  const [oidc, setOidc] = useState<OidcConfig>();
  const [failure, setFailure] = useState(signInFailure);
  useEffect(() => {
    signInFailure = undefined;
    void oidcConfig().then(setOidc);
  }, []);
  return (
    <div className="backdrop" role="dialog" aria-label="Sign in">
      <form
        className="dialog"
        data-testid="sign-in"
        onSubmit={(e) => {
          e.preventDefault();
          storeToken(token.trim());
          onDone();
        }}
      >
        <h3>Sign in</h3>
        {failure !== undefined ? (
          <p className="error" data-testid="sign-in-failure">
            Sign-in failed: {failure}
          </p>
        ) : null}
        {oidc !== undefined ? (
          <p>
            <button
              type="button"
              className="primary"
              data-testid="oidc-sign-in"
              onClick={() => beginSignIn(oidc).catch((error: unknown) => setFailure(String(error)))}
            >
              Sign in with {new URL(oidc.issuer).host}
            </button>
          </p>
        ) : null}
        <p>
          {oidc !== undefined ? 'Or paste' : 'The API answered 401: paste'} a bearer token. It is kept in this
          tab only (sessionStorage).
        </p>
        <input
          type="password"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="token"
          data-testid="token"
        />
        <div className="buttons">
          <button type="button" onClick={onDone}>
            Cancel
          </button>
          <button className="primary" type="submit" disabled={token.trim() === ''}>
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}

export function AccessBadge(): ReactNode {
  const { who, signIn } = useAccess();
  if (who === undefined) return null;
  if (!who.authEnabled) return <span className="muted">no auth: full access</span>;
  if (!who.authenticated)
    return (
      <span className="muted">
        not signed in
        {' · '}
        <a
          href="#"
          data-testid="open-sign-in"
          onClick={(e) => {
            e.preventDefault();
            signIn();
          }}
        >
          sign in
        </a>
      </span>
    );
  return (
    <span className="muted">
      {`roles: ${who.roles.join(', ') || 'none'}`}
      {' · '}
      <a
        href="#"
        onClick={(e) => {
          e.preventDefault();
          storeToken(null);
          window.location.reload();
        }}
      >
        sign out
      </a>
    </span>
  );
}

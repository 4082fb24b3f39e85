import { useEffect, useState } from 'react';

// Routes live in the hash (`#/instances?status=Failed`), so the frontend serves one static page and
// every view, filters included, is a link that survives a reload.
export interface Route {
  readonly path: string;
  readonly search: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  return { path, search: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = (): void => setRoute(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function href(path: string, search?: URLSearchParams): string {
  const query = search?.toString() ?? '';
  return `#${path}${query !== '' ? `?${query}` : ''}`;
}

/** Changes the route; `replace` keeps the browser history short while filters are typed. */
export function navigate(path: string, search?: URLSearchParams, replace = false): void {
  const target = href(path, search);
  if (replace) window.history.replaceState(null, '', target);
  else window.location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export const instanceHref = (instanceId: string, tab?: string): string =>
  href(
    `/instances/${encodeURIComponent(instanceId)}`,
    tab !== undefined ? new URLSearchParams({ tab }) : undefined,
  );

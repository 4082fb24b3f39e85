import type { ReactNode } from 'react';
import { AccessBadge, AccessProvider } from './auth';
import { EntitiesPage } from './entities-page';
import { InstancePage } from './instance-page';
import { InstancesPage } from './instances-page';
import { OverviewPage } from './overview-page';
import { href, useRoute } from './router';

export function App(): ReactNode {
  const route = useRoute();
  const section = route.path.split('/')[1] ?? '';
  let page: ReactNode;
  if (route.path.startsWith('/instances/')) {
    page = (
      <InstancePage
        instanceId={decodeURIComponent(route.path.slice('/instances/'.length))}
        search={route.search}
      />
    );
  } else if (route.path === '/instances') {
    page = <InstancesPage search={route.search} />;
  } else if (route.path === '/entities') {
    page = <EntitiesPage />;
  } else {
    page = <OverviewPage />;
  }
  return (
    <AccessProvider>
      <header>
        <strong>Durable</strong>
        <nav>
          <a className={section === '' ? 'active' : ''} href={href('/')}>
            Overview
          </a>
          <a className={section === 'instances' ? 'active' : ''} href={href('/instances')}>
            Instances
          </a>
          <a className={section === 'entities' ? 'active' : ''} href={href('/entities')}>
            Entities
          </a>
          <a href="/openapi.json">API</a>
        </nav>
        <AccessBadge />
      </header>
      <main>{page}</main>
    </AccessProvider>
  );
}

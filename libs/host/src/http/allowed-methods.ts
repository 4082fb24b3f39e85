import { openApiDocument } from './openapi';

const operations = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface DocumentedPath {
  readonly pattern: RegExp;
  readonly literals: number;
  readonly methods: readonly string[];
}

let documented: readonly DocumentedPath[] | undefined;

function documentedPaths(): readonly DocumentedPath[] {
  const paths = openApiDocument()['paths'] as Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  const documented = Object.entries(paths).map(([template, item]) => ({
    literals: template.split('/').filter((segment) => !segment.startsWith('{')).length,
    pattern: new RegExp(
      `^${template
        .split('/')
        .map((segment) =>
          /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/')}$`,
    ),
    methods: Object.keys(item)
      .filter((key) => operations.includes(key))
      .map((key) => key.toUpperCase()),
  }));
  // The most literal template wins, as in the document: `/entities/clean` over `/entities/{entityName}`.
  return documented.sort((a, b) => b.literals - a.literals);
}

/**
 * The methods the OpenAPI document lists for a request path (HEAD with GET, as Express serves it), or
 * undefined when the document has no such path: a known path with another method is a 405, not a 404.
 */
export function allowedMethods(url: string): readonly string[] | undefined {
  documented ??= documentedPaths();
  const path = url.split('?', 1)[0] ?? '';
  const match = documented.find((p) => p.pattern.test(path));
  if (match === undefined) return undefined;
  const methods = new Set(match.methods);
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

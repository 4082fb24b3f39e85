import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Pure libs (model, engine, entity and timer semantics) must stay replayable: no I/O, no frameworks.
const ioModules = [
  ...builtinModules.filter((m) => !m.startsWith('_')),
  ...builtinModules.filter((m) => !m.startsWith('_')).map((m) => `node:${m}`),
];
const frameworkModules = ['@nestjs/*', 'kafkajs', '@azure/cosmos', 'better-sqlite3', '@grpc/*', 'express'];
// Libs speak @opentelemetry/api only (names in @durable/telemetry); the host starts the SDK.
const telemetrySdk = ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*'];

// Integration specs (`*.int.spec.ts`) may also use the real test servers that tools/ starts.
function boundaries(integration) {
  const extra = integration ? ['type:tool'] : [];
  return {
    allow: [],
    enforceBuildableLibDependency: false,
    depConstraints: [
      {
        sourceTag: 'type:pure',
        onlyDependOnLibsWithTags: ['type:pure'],
        bannedExternalImports: [...frameworkModules, ...telemetrySdk],
      },
      {
        sourceTag: 'type:runtime',
        onlyDependOnLibsWithTags: ['type:pure'],
        bannedExternalImports: [...frameworkModules, ...telemetrySdk],
      },
      {
        sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', ...extra],
        bannedExternalImports: telemetrySdk,
      },
      {
        sourceTag: 'type:host',
        onlyDependOnLibsWithTags: ['type:pure', 'type:runtime', 'type:adapter', 'type:host', ...extra],
      },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:pure', 'type:runtime', 'type:adapter', 'type:host', ...extra],
      },
      // The CLI talks to a server over HTTP only: no engine, host or vendor code in it.
      {
        sourceTag: 'type:cli',
        onlyDependOnLibsWithTags: ['type:pure'],
        bannedExternalImports: frameworkModules,
      },
      // The dashboard runs in the browser and talks only to the public REST API: no libs, no servers.
      { sourceTag: 'type:ui', onlyDependOnLibsWithTags: [], bannedExternalImports: frameworkModules },
      {
        sourceTag: 'type:tool',
        onlyDependOnLibsWithTags: [
          'type:pure',
          'type:runtime',
          'type:adapter',
          'type:host',
          'type:app',
          'type:tool',
        ],
      },
    ],
  };
}

// Only its adapter talks to a vendor client (pure libs ban them all, above).
const banVendors = (files, names) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { paths: names.map((name) => ({ name, message: `Only its adapter lib imports ${name}.` })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '.nx', 'bench/results', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    // Pure libs, ports and the runtime: no I/O, no frameworks, no wall-clock (they take ports).
    files: [
      'libs/core/src/**/*.ts',
      'libs/engine/src/**/*.ts',
      'libs/entities/src/**/*.ts',
      'libs/schedules/src/**/*.ts',
      'libs/log/port/src/**/*.ts',
      'libs/storage/port/src/**/*.ts',
      'libs/runtime/src/**/*.ts',
      'libs/retention/src/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'Pure libs do no I/O: take a port instead.' })),
          patterns: frameworkModules.map((group) => ({
            group: [group],
            message: 'Pure libs cannot import frameworks or vendor clients.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Pure libs take configuration as arguments.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use the Clock port or ctx.currentUtcDateTime; wall-clock breaks replay.',
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the IdSource port or ctx.newGuid().' },
        { object: 'Date', property: 'now', message: 'Use the Clock port or ctx.currentUtcDateTime.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.int.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  banVendors(
    ['libs/host/**/*.ts', 'libs/sqlite/**/*.ts', 'libs/*/sqlite/**/*.ts', 'apps/**/*.ts', 'samples/**/*.ts'],
    ['kafkajs', '@azure/cosmos'],
  ),
  banVendors(['libs/log/kafka/**/*.ts', 'libs/triggers/kafka/**/*.ts'], ['@azure/cosmos']),
  banVendors(['libs/storage/cosmos/**/*.ts'], ['kafkajs']),
  prettier,
);

module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e.spec.ts', '<rootDir>/deployment/**/*.spec.ts'],
  testTimeout: 120_000,
  // The distributed suites run the apps' build output: build what is stale before any suite starts.
  globalSetup: '<rootDir>/support/build-apps.ts',
};

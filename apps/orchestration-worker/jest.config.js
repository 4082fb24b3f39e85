module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'orchestration-worker',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

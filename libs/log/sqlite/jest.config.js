module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'log-sqlite',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

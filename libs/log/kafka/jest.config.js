module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'log-kafka',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

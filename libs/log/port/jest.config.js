module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'log',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'triggers-kafka',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

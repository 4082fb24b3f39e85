module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'storage-cosmos',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

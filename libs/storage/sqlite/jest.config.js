module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'storage-sqlite',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

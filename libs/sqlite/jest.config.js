module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'sqlite',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

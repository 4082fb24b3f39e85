module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'entities',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'retention',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

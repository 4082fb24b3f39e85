module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'schedules',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

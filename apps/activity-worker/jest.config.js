module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'activity-worker',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

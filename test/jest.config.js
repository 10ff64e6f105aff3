/** Tests that cross parts: the real service with Apex contracts, the browser, the real sf CLI. */
module.exports = {
  displayName: 'cross',
  testEnvironment: 'node',
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: true }] },
  testTimeout: 180000,
};

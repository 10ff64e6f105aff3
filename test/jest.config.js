/** Tests that cross parts: the real service with Apex contracts, the browser, the real sf CLI. */
module.exports = {
  displayName: 'cross',
  testEnvironment: '<rootDir>/scoring-service/test/ort-environment.js',
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
};

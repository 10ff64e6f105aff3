/**
 * The plugin is ESM (like plugin-template-sf: @salesforce/sf-plugins-core has been ESM-only
 * since v7 and its graph has a top-level await), so its tests run as ESM through ts-jest.
 * Jest needs node's --experimental-vm-modules for that (set by the root `test` script).
 */
export default {
  displayName: 'sf-plugin',
  testEnvironment: '<rootDir>/test/helpers/node-realm-environment.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.nut.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/jest-setup.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }] },
};

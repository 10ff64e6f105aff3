module.exports = {
  displayName: 'scoring-service',
  // onnxruntime-node needs the host's typed arrays inside jest's sandbox (see the file).
  testEnvironment: '<rootDir>/test/ort-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};

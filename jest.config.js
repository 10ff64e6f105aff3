/** One jest run from the root covers every part of the product. */
module.exports = {
  projects: ['<rootDir>/scoring-service', '<rootDir>/sf-plugin', '<rootDir>/test', '<rootDir>/force-app'],
  reporters: ['default', '<rootDir>/test/support/totals-reporter.js'],
  // Per-test default; tests that start processes or browsers set their own, longer timeouts.
  testTimeout: 60000,
};

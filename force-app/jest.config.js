/**
 * LWC unit tests (sfdx-lwc-jest), one project of the root jest run.
 * sfdx-lwc-jest finds components through sfdx-project.json in the working directory, so run jest from the repo root.
 */
const path = require('path');
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  displayName: 'lwc',
  rootDir: path.resolve(__dirname, '..'),
  roots: ['<rootDir>/force-app/main/default/lwc'],
  moduleNameMapper: {
    // sfdx-lwc-jest ships no stub for LightningModal; this one records open() calls.
    '^lightning/modal$': '<rootDir>/force-app/test/jest-mocks/lightning/modal',
  },
  setupFilesAfterEnv: [
    ...(jestConfig.setupFilesAfterEnv || []),
    '<rootDir>/force-app/test/jest-setup/sa11y.js',
    // @salesforce/label/c.* -> the text in labels/CustomLabels.labels-meta.xml
    '<rootDir>/force-app/test/jest-setup/labels.js',
  ],
};

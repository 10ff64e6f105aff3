/**
 * Resolves `@salesforce/label/c.Name` to the label's text from force-app's CustomLabels file. sfdx-lwc-jest
 * compiles each label import to `require('@salesforce/label/c.Name')` and falls back to the bare name
 * ("c.Name") when that fails; these virtual modules make the tests see the text a rep sees.
 */
/* global jest */
const { readCustomLabels } = require('../customLabels');

for (const [mockName, mockValue] of Object.entries(readCustomLabels())) {
  jest.mock(`@salesforce/label/c.${mockName}`, () => ({ __esModule: true, default: mockValue }), { virtual: true });
}

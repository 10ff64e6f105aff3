// Adds expect(element).toBeAccessible() (axe-core rules as used by Salesforce) to every LWC test.
const { registerSa11yMatcher } = require('@sa11y/jest');

registerSa11yMatcher();

// One ESLint configuration for the monorepo. LWC sources get the LWC rules from their own block
// (force-app/main/default/lwc); TypeScript gets typescript-eslint's recommended set.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/lib/**', 'preview/build/**', 'coverage/**', '.sf/**', '.sfdx/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['force-app/**/lwc/**/*.js', 'preview/src/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
  {
    files: ['**/__tests__/**/*.js', '**/*.test.ts'],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
  },
);

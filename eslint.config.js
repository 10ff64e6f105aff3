// One ESLint configuration for the monorepo. LWC sources get the LWC rules from their own block
// (force-app/main/default/lwc); TypeScript gets typescript-eslint's recommended set; the sf plugin
// adds the sf CLI plugins' rules from its own config (sf-plugin/eslint.config.cjs).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const sfPluginConfig = require('./sf-plugin/eslint.config.cjs');

module.exports = tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'sf-plugin/lib/**', 'preview/build/**', 'coverage/**', '.sf/**', '.sfdx/**'],
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
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'module' },
  },
  {
    files: ['force-app/**/lwc/**/*.js', 'preview/src/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
  {
    files: ['**/__tests__/**/*.js', '**/*.test.ts'],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
  },
  ...sfPluginConfig,
);

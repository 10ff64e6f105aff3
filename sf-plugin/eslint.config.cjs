// The plugin's own lint: the sf CLI plugins' rules (eslint-plugin-sf-plugin, "recommended") on
// top of the repo's TypeScript rules. The root eslint.config.js spreads this in; `basePath` makes
// the globs relative to sf-plugin/ whichever directory ESLint runs from.
//
// eslint-plugin-sf-plugin 1.x (the newest on npm) still calls context.getAncestors(), which
// ESLint 9 removed; @eslint/compat's fixupPluginRules puts the old context API back for it.
// Its ESLint 9 native 3.x is not published yet; drop the fixup when it is.
const { fixupPluginRules } = require('@eslint/compat');
const sfPlugin = require('eslint-plugin-sf-plugin');
const tseslint = require('typescript-eslint');

/**
 * no-missing-messages reads the messages of the package in process.cwd(); lint runs from the repo
 * root, so it is given this package's directory while it loads them (once per file, synchronously).
 */
function fromPluginDir(rule) {
  return {
    ...rule,
    create(context) {
      const cwd = process.cwd;
      process.cwd = () => __dirname;
      try {
        return rule.create(context);
      } finally {
        process.cwd = cwd;
      }
    },
  };
}

const plugin = fixupPluginRules({
  ...sfPlugin,
  rules: { ...sfPlugin.rules, 'no-missing-messages': fromPluginDir(sfPlugin.rules['no-missing-messages']) },
});

module.exports = [
  {
    name: 'sf-plugin/sf-cli-rules',
    basePath: __dirname,
    files: ['src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // no-missing-messages counts a message's tokens with type information.
      parserOptions: { project: './tsconfig.build.json', tsconfigRootDir: __dirname },
    },
    plugins: { 'sf-plugin': plugin },
    rules: {
      ...sfPlugin.configs.recommended.rules,
      // Hard-coded user-facing text is an error here, not a warning: every string is in messages/.
      'sf-plugin/no-hardcoded-messages-commands': 'error',
      'sf-plugin/no-hardcoded-messages-flags': 'error',
      // The plugin's rules check summaries and descriptions; these catch the other user-facing texts.
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='SfError'] > .arguments:first-child:matches(Literal, TemplateLiteral, BinaryExpression)",
          message: 'Error text belongs in messages/*.md: new SfError(messages.getMessage(key, tokens), name, actions).',
        },
        {
          selector: "CallExpression[callee.object.property.name=/^(spinner|progress)$/][callee.property.name=/^(start|stop)$/] > .arguments:first-child:matches(Literal, TemplateLiteral)",
          message: 'Spinner text belongs in messages/*.md.',
        },
        {
          selector: "CallExpression[callee.property.name=/^(log|warn|info)$/][callee.object.type=/^(ThisExpression|Identifier)$/] > .arguments:first-child:matches(Literal, TemplateLiteral)",
          message: 'Output text belongs in messages/*.md.',
        },
      ],
    },
  },
];

// ESLint for the pages' JavaScript (dispatch/web/static/js): the recommended rules, browser
// globals, ES modules. Run by `make jscheck` (part of `make test`); versions in package.json.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    // Vendored (Leaflet: re-vendored by `make vendor`, never edited) or not ours.
    ignores: ['dispatch/web/static/vendor/**', 'node_modules/**', '.venv/**', 'build/**'],
  },
  js.configs.recommended,
  {
    files: ['dispatch/web/static/js/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
];

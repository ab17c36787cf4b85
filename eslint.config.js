import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaryRules } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'services/console/dist/**', 'bench/results/**', 'qa/chaos/results/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Domain code reads time only through the injected Clock (DEVELOPERS guide, STYLE 6).
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock.' }],
    },
  },
  {
    // The wall clock itself, process helpers (deadlines for child processes), entry points, tools and tests.
    files: ['lib/clock/system-clock.ts', 'lib/process/**', 'cli/**', 'qa/chaos/**', 'tests/**', 'bench/**', 'services/console/web/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  // Imports run one way between top-level folders (../shared/LAYOUT.md).
  ...boundaryRules(),
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);

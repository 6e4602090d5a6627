// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const noLibraryWrites = require('./tools/eslint-rules/no-library-writes');

/**
 * Places allowed to write files, each with its reason. Everything else may only read the library.
 * Keep this list short: every entry is a place that could damage a DJ's archive if it were wrong.
 */
const FILESYSTEM_WRITERS = [
  // The executor carries out approved moves (copy, verify, delete under a journal): the only library writer.
  'apps/executor/**',
  // The local runner owns its data folder (embedded PostgreSQL, NATS store, generated token), never the library.
  'tools/runner/**',
  // The fingerprint stage keeps its index store in its own data folder, outside the library.
  'libs/fingerprint/src/store/**',
  // The gateway holds an uploaded excerpt in a private temporary folder while ffmpeg decodes it (MP4 needs a seekable file).
  'apps/gateway/src/identify/excerpt-file.repository.ts',
  // `crateflow tracklist --cue` writes a CUE sheet where the person runs it (exclusive create, never a replace).
  'apps/cli/src/commands/tracklist.ts',
  // Tests and benchmarks build fixture trees in temporary folders they create and remove.
  '**/*.spec.ts',
  '**/test/**',
  'bench/**',
  // Build and CI scripts write reports and temporary files of the workspace.
  'tools/scripts/**',
];

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', '.nx/**', 'deploy/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    plugins: { crateflow: { rules: { 'no-library-writes': noLibraryWrites } } },
    rules: {
      'crateflow/no-library-writes': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: FILESYSTEM_WRITERS, rules: { 'crateflow/no-library-writes': 'off' } },
  // The web UI: native ES modules run by the browser (no build step).
  {
    files: ['apps/gateway/src/ui/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'navigator',
          'fetch',
          'EventSource',
          'URL',
          'URLSearchParams',
          'sessionStorage',
          'localStorage',
          'Node',
          'Blob',
          'CustomEvent',
          'HashChangeEvent',
          'Intl',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'requestAnimationFrame',
          'ResizeObserver',
          'getComputedStyle',
          'matchMedia',
          'AbortController',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
module.exports.FILESYSTEM_WRITERS = FILESYSTEM_WRITERS;

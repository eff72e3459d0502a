// One flat config for every workspace. Type-aware rules are left to `tsc --noEmit` (npm run
// typecheck) so that lint stays fast; eslint covers style-independent correctness and layering.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '.tools/**',
      '.testenv/**',
      '**/next-env.d.ts',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Rendering is pure: it may not reach the network, the file system or the API client.
    files: ['operator/src/render/**/*.ts', 'operator/src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@kubernetes/client-node',
                'node:fs*',
                'node:net',
                'node:http*',
                'fs',
                'http',
              ],
              message: 'render/ and api/ are pure: no I/O imports (see operator/README.md).',
            },
            {
              group: ['**/apply/**', '**/controller/**', '**/runtime/**', '**/status/**'],
              message: 'render/ and api/ may not depend on I/O layers.',
            },
          ],
        },
      ],
    },
  },
  {
    // Status is computed, not written: status/ holds pure functions (the writer is
    // operator/src/controller/status-writer.ts), so it may not import I/O or the controllers.
    files: ['operator/src/status/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@kubernetes/client-node',
                'node:fs*',
                'node:net',
                'node:http*',
                'fs',
                'http',
              ],
              message: 'status/ is pure: no I/O imports (see operator/README.md).',
            },
            {
              group: ['**/apply/**', '**/controller/**', '**/runtime/**'],
              message: 'status/ may not depend on I/O layers or the controllers.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);

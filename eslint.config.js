import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['bin/**', 'scripts/**', '*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['bench/**', 'src/cli/**', 'bin/**', 'src/**/*.test.ts', 'src/test-support/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/web/client/**', 'src/web/public/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly' } },
  },
);

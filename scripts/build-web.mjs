/**
 * Builds the web page: type-checks the client (esbuild only strips types), bundles
 * src/web/client/main.ts with esbuild into dist/web/app.js, and copies the static files of
 * src/web/public/ beside it. `--no-check` skips the type check; `--watch` rebuilds on change.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'web');
const publicDir = path.join(root, 'src', 'web', 'public');

function copyPublic() {
  fs.mkdirSync(outDir, { recursive: true });
  fs.cpSync(publicDir, outDir, { recursive: true });
}

const options = {
  entryPoints: [path.join(root, 'src', 'web', 'client', 'main.ts')],
  outfile: path.join(outDir, 'app.js'),
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

if (!process.argv.includes('--no-check') && !process.argv.includes('--watch')) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.web.json')], {
    stdio: 'inherit',
  });
}
copyPublic();
if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}

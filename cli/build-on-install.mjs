// `npm ci` / `npm install` in this directory run the `prepare` script, which runs this file: it builds
// dist/ so the `ucprov` bin (package.json "bin") exists right after install.
import { execSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bin = new URL('../dist/cli/ucprov.js', import.meta.url);

try {
  require.resolve('typescript');
} catch {
  // A production install (`npm ci --omit=dev`) has no compiler; it deploys a dist/ built beforehand.
  console.log('prepare: dev dependencies are not installed, skipping npm run build');
  process.exit(0);
}
try {
  execSync('npm run build', { stdio: 'inherit' });
} catch {
  // tsc still writes dist/ when it finds type errors. Failing the install here would hide every test
  // result behind an install error; `npm test` reports the type errors with their context instead.
  console.warn('prepare: npm run build reported errors (see above); dist/ may be incomplete.');
}
if (!existsSync(bin)) {
  console.error(`prepare: the build did not produce ${bin.pathname}; run 'npm run build' to see why.`);
  process.exit(1);
}
// npx links a directory's bin once, making the file executable, and later runs the file itself; a fresh
// build (tsc writes 0644) would then fail with "Permission denied". Node ignores the mode on Windows.
chmodSync(bin, 0o755);

#!/usr/bin/env node
// Runs a command with NODE_EXTRA_CA_CERTS pointing at the local cloud's test CA. Node reads that
// variable only at process start, so it has to be set here rather than inside the test process.
import { spawn } from 'node:child_process';
import { caCertPath, ensureTestCertificates } from './generate-test-certs.mjs';

ensureTestCertificates();
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-test-ca.mjs <command> [args…]');
  process.exit(2);
}
const child = spawn(command, args, {
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath, PATH: `node_modules/.bin:${process.env.PATH}` },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

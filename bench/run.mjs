#!/usr/bin/env node
// `npm run bench`: speed of DCGAN Studio (tfjs wasm) beside PyTorch on the same model, in one run.
// `npm run bench -- --quality [--seconds 300]`: also trains each side for the same wall time and judges both
// with the same MNIST classifier. The work is in bench/harness.ts (TypeScript, run with tsx).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The tfjs side is bundled like dist/cli.js (same esbuild settings), because the wasm backend's pthread shim
// only works in the bundle; under tsx its worker fails to start.
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [path.join(root, 'bench/tfjs-side.ts')], outfile: path.join(root, '.bench/tfjs-side.cjs'),
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'],
  external: ['vscode', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'], logLevel: 'warning', sourcemap: 'linked',
});
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/harness.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

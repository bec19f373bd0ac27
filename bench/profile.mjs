#!/usr/bin/env node
// Per-kernel profile of training steps on the wasm backend (bench/profile.ts), bundled like bench/run.mjs's
// tfjs side because the wasm backend's pthread shim only works in the bundle.
//   node bench/profile.mjs [--model tutorial|default|rgb32|paper64|all] [--steps 3] [--warmup 2] [--json FILE]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [path.join(root, 'bench/profile.ts')], outfile: path.join(root, '.bench/profile.cjs'),
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'],
  external: ['vscode', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'], logLevel: 'warning', sourcemap: 'linked',
});
const r = spawnSync(process.execPath, [path.join(root, '.bench/profile.cjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

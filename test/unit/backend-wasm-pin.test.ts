// The wasm backend's pinned version (the kernels in backend/wasm-*.ts use its internals: dataIdMap, makeOutput,
// the XNNPACK kernels' attributes) and the pthread shim (backend/wasm-threads.ts), which only works in an esbuild
// bundle: the test bundles a tiny entry like dist/cli.js and runs it in its own process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..', '..');

test('tfjs-backend-wasm is pinned to the version the kernels were written against', () => {
  const pinned = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies['@tensorflow/tfjs-backend-wasm'];
  assert.match(pinned, /^\d+\.\d+\.\d+$/, 'package.json must pin an exact version (no ^ or ~)');
  const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')).version;
  assert.equal(installed, pinned);
});

test('the threaded wasm backend starts 2 threads under worker_threads and trains a conv step', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-wasm-threads-'));
  try {
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(entry, `
      import * as tf from '@tensorflow/tfjs-core';
      import { selectBackend } from ${JSON.stringify(path.join(root, 'src/runtime/backend/select'))};
      (async () => {
        const b = await selectBackend('wasm', { threads: 2, wasmDir: ${JSON.stringify(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out'))} });
        const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
        const w = tf.variable(tf.fill([4, 4, 3, 5], 0.5));
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, w as unknown as tf.Tensor4D, 2, 'same')), [w]);
        const g = grads[w.name].dataSync();
        console.log(JSON.stringify({ threads: b.info.threads, backend: tf.getBackend(), loss: value.dataSync()[0], gradMin: Math.min(...g), gradMax: Math.max(...g) }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    const out = path.join(dir, 'entry.cjs');
    esbuild.buildSync({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], external: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'], logLevel: 'warning', nodePaths: [path.join(root, 'node_modules')] });
    const r = spawnSync(process.execPath, [out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(res.backend, 'wasm');
    assert.equal(res.threads, 2);
    // 'same' 4×4 stride 2 over 8×8 ones: every output sums 0.5 over the taps inside the image, ×3 channels.
    // Padding 1 on each side: output rows read input rows −1..2, 1..4, 3..6, 5..8, so 3, 4, 4, 3 of them exist.
    const taps = [3, 4, 4, 3];
    let expected = 0;
    for (const r of taps) for (const c of taps) expected += r * c * 3 * 0.5 * 5 * 2;
    assert.ok(Math.abs(res.loss - expected) < 1e-3, `loss ${res.loss} vs ${expected}`);
    assert.ok(res.gradMin > 0 && res.gradMax <= 2 * 16, `filter gradient range ${res.gradMin}..${res.gradMax}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

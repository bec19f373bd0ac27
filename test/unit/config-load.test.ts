// src/runtime/config/load.ts: JSON with comments, validated against schema.json, defaults filled in, and every
// problem naming the file, the key and the line, as the editor's diagnostics and the CLI print them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverrides, defaultConfig, isConfigFileName, loadConfigFile, parseConfig, resolveDataPath, resolveOutputDir, setAtPath } from '../../src/runtime/config/load';
import type { DcganConfig } from '../../src/runtime/config/types';

const FILE = '/work/x/faces.dcgan.json';

test('JSON with comments and trailing commas parses, and every default is filled in', () => {
  const loaded = parseConfig('// my run\n{\n  "data": { "path": "data/faces.npy", }, /* wide */ "model": { "generatorFilters": 64 },\n}\n', FILE);
  assert.deepEqual(loaded.problems, []);
  assert.equal(loaded.file, FILE);
  assert.equal(loaded.baseDir, '/work/x');
  const c = loaded.config!;
  assert.equal(c.model.generatorFilters, 64);
  assert.equal(c.model.discriminatorFilters, 16, 'schema default');
  assert.equal(c.data.scale, 'auto');
  assert.equal(c.training.steps, 3000);
  assert.equal(c.output.dir, 'runs');
  assert.equal(c.runtime.backend, 'auto');
  assert.deepEqual(defaultConfig().data, { path: 'builtin:mnist', scale: 'auto', cache: true });
});

test('a syntax error names the file, line and column', () => {
  const { config, problems } = parseConfig('{\n  "data": { "path": "x.npy" }\n  "model": {}\n}', FILE);
  assert.equal(config, undefined);
  assert.equal(problems[0].code, 'config/parse');
  assert.equal(problems[0].file, FILE);
  assert.deepEqual([problems[0].location?.line, problems[0].location?.column], [3, 3]);
  assert.match(problems[0].message, /^faces\.dcgan\.json:3:3: CommaExpected\. Fix the JSON syntax/);
});

test('schema errors name the key, its line, and what to do', () => {
  const text = '{\n  "training": {\n    "stpes": 10,\n    "beta1": 1.5,\n    "learningRate": "fast"\n  },\n  "runtime": { "backend": "gpu" }\n}';
  const { config, problems } = parseConfig(text, FILE);
  assert.equal(config, undefined);
  const byKey = new Map(problems.map((p) => [p.location?.path?.join('.'), p]));
  assert.match(byKey.get('training.stpes')!.message, /^faces\.dcgan\.json:3: unknown key "training\.stpes"\. Remove it, or check its spelling/);
  assert.match(byKey.get('training.beta1')!.message, /:4: training\.beta1 must be < 1\. For example: 0\.5\./);
  assert.match(byKey.get('training.learningRate')!.message, /:5: training\.learningRate has the wrong form\. For example: 0\.002 or 0\.0002 or \{"generator":0\.0002,"discriminator":0\.0001\}\./);
  assert.match(byKey.get('runtime.backend')!.message, /:7: runtime\.backend must be one of "auto", "tensorflow", "webgpu", "wasm", "cpu"\./);
  for (const p of problems) assert.equal(p.code, 'config/schema');
});

test('a config that is not an object is one clear problem', () => {
  const { problems } = parseConfig('[1, 2]', FILE);
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /the config must be a JSON object, like \{"data": \{"path": "builtin:mnist"\}\}/);
});

test('a missing file is config/not-found, naming the absolute path', () => {
  const missing = path.join(os.tmpdir(), 'no-such-dir-dcgan', 'dcgan.json');
  const { config, problems } = loadConfigFile(missing);
  assert.equal(config, undefined);
  assert.equal(problems[0].code, 'config/not-found');
  assert.ok(problems[0].message.startsWith(`Cannot read config ${missing}:`), problems[0].message);
});

test('a file on disk loads with its folder as the base for relative paths', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-load-'));
  try {
    const file = path.join(dir, 'dcgan.json');
    fs.writeFileSync(file, '{ "data": { "path": "data/x.npy" }, "output": { "dir": "../out" } }');
    const loaded = loadConfigFile(file);
    assert.deepEqual(loaded.problems, []);
    assert.equal(resolveDataPath(loaded.config!, loaded.baseDir), path.join(dir, 'data', 'x.npy'));
    // output.dir may not climb out of the config's folder (a cloned repository's config would write elsewhere) ...
    assert.throws(() => resolveOutputDir(loaded.config!, loaded.baseDir, { configFile: file }), /output\.dir "\.\.\/out" in .*dcgan\.json resolves to .*, outside the config's folder/);
    // ... unless the user chose a folder that holds it (the CLI's --out, the workspace folders).
    assert.equal(resolveOutputDir(loaded.config!, loaded.baseDir, { roots: [path.dirname(dir)] }), path.join(path.dirname(dir), 'out'));
    assert.equal(resolveOutputDir(defaultConfig(), dir), path.join(dir, 'runs'));
    assert.equal(resolveDataPath(defaultConfig(), dir), 'builtin:mnist', 'builtin paths pass through');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('overrides are validated with the whole config and name how they were given', () => {
  const loaded = parseConfig('{}', FILE) as ReturnType<typeof parseConfig> & { config: DcganConfig };
  const ok = applyOverrides(loaded, { 'training.steps': 5, 'runtime.backend': 'wasm' });
  assert.equal(ok.config?.training.steps, 5);
  assert.equal(ok.config?.runtime.backend, 'wasm');
  assert.equal(loaded.config.training.steps, 3000, 'the loaded config is not changed');
  const bad = applyOverrides(loaded, { 'training.steps': 0, 'runtime.backend': 'wasm' }, { 'training.steps': '--steps 0' });
  assert.equal(bad.config, undefined);
  assert.equal(bad.problems.length, 1);
  assert.equal(bad.problems[0].file, FILE);
  assert.match(bad.problems[0].message, /^after --steps 0, runtime\.backend = "wasm": training\.steps must be >= 1/);
  const unknown = applyOverrides(loaded, { 'training.stpes': 5 });
  assert.match(unknown.problems[0].message, /unknown key "training\.stpes"/);
  assert.equal(applyOverrides(loaded, {}), loaded, 'no overrides: the same config');
});

test('setAtPath creates the objects on the way, and undefined removes a key', () => {
  const doc: Record<string, unknown> = { model: 3 };
  setAtPath(doc, ['training', 'learningRate', 'generator'], 0.001);
  setAtPath(doc, ['model', 'generatorFilters'], 8);
  assert.deepEqual(doc, { training: { learningRate: { generator: 0.001 } }, model: { generatorFilters: 8 } });
  setAtPath(doc, ['model', 'generatorFilters'], undefined);
  assert.deepEqual(doc.model, {});
});

test('config file names: dcgan.json and *.dcgan.json only', () => {
  assert.ok(isConfigFileName('/a/dcgan.json'));
  assert.ok(isConfigFileName('faces.dcgan.json'));
  assert.ok(!isConfigFileName('/a/mydcgan.json'));
  assert.ok(!isConfigFileName('/a/dcgan.jsonc'));
});

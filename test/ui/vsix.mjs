// The VSIX the UI walk-through installs: built by `npm run package` (the same command a release uses), checked for
// what it ships, then installed with `code-server --install-extension`, so that what is tested is what ships.
// DCGAN_VSIX=path/to.vsix tests a VSIX built elsewhere instead (keep it outside .test-artifacts/ui, which each run
// clears).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { root } from '../host/code-server.mjs';

/** The Marketplace's limit is far higher; this is the issue's bound (#9), so a stray folder in the VSIX fails here. */
export const MAX_VSIX_BYTES = 40 * 1024 * 1024;

/** Paths inside the VSIX (under extension/) that must never ship: sources, tests, dependencies, source maps. */
const NEVER_SHIPPED = [/^extension\/(src|test|webview|scripts|bench|examples|node_modules|\.cache|\.test-artifacts|docs)\//, /\.map$/, /\.ts$/];

/** Runs `npm run package` into `out`; returns how long it took. Throws with npm's output when it fails. */
export function packageVsix(out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'package', '--', '--out', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  if (r.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`npm run package failed (exit code ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  }
  return Date.now() - started;
}

/** The VSIX's entries and their sizes, read from its zip directory (nothing is decompressed). */
export function listVsix(file) {
  const entries = [];
  unzipSync(fs.readFileSync(file), { filter: (f) => { entries.push({ name: f.name, bytes: f.originalSize }); return false; } });
  return entries;
}

/** What is wrong with the VSIX's contents, one line per problem; empty when it is fine. */
export function vsixProblems(file, manifest) {
  const problems = [];
  const bytes = fs.statSync(file).size;
  if (bytes > MAX_VSIX_BYTES) problems.push(`${file} is ${(bytes / 2 ** 20).toFixed(1)} MB, over ${MAX_VSIX_BYTES / 2 ** 20} MB: check .vscodeignore`);
  const names = new Set(listVsix(file).map((e) => e.name));
  for (const n of names) if (NEVER_SHIPPED.some((re) => re.test(n))) problems.push(`${n} is in the VSIX: .vscodeignore should leave it out`);
  // What the extension needs at run time: its entry, the training worker, the wasm runtime, the schema, the data,
  // and the GPU runtimes' lockfiles ("Install GPU Runtime" runs npm ci on them).
  const lockfiles = ['webgpu', 'cuda'].flatMap((k) => [`media/gpu-runtime/${k}/package.json`, `media/gpu-runtime/${k}/package-lock.json`]);
  // dist/decode-worker.js: image folders decode off the training thread (issue 18).
  const needed = [manifest.main, 'dist/worker.js', 'dist/decode-worker.js', 'dist/tfjs-backend-wasm-simd.wasm', 'dist/dcgan.schema.json', 'media/builtin/mnist-images-idx3-ubyte.gz', ...lockfiles];
  for (const n of needed) {
    const name = `extension/${n.replace(/^\.\//, '')}`;
    if (!names.has(name)) problems.push(`${name} is missing from the VSIX: .vscodeignore (an allow-list) should keep it`);
  }
  return problems;
}

/**
 * `code-server --install-extension file.vsix` into extensionsDir, with every folder it writes to under tmpRoot.
 * Returns the installed extension's folder.
 */
export function installVsix({ codeServer, file, extensionsDir, tmpRoot, extensionId, version }) {
  const home = path.join(tmpRoot, 'install-home');
  const r = spawnSync(codeServer, ['--install-extension', file, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(tmpRoot, 'user-data')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache'), XDG_STATE_HOME: path.join(home, '.local/state') },
  });
  const output = `${r.stdout}${r.stderr}`.trim();
  const dir = path.join(extensionsDir, `${extensionId}-${version}`);
  if (r.status !== 0 || !fs.existsSync(path.join(dir, 'package.json'))) {
    throw new Error(`code-server --install-extension ${file} failed (exit code ${r.status}${r.error ? `, ${r.error.message}` : ''}); ${dir} ${fs.existsSync(dir) ? 'has no package.json' : 'does not exist'}:\n${output.slice(-4000)}`);
  }
  return { dir, output };
}

/**
 * The threaded wasm backend's pthread worker scripts (wasm-threads.ts) must come from a folder only this
 * process can write. A script planted by another local user at the old shared location
 * (os.tmpdir()/dcgan-studio-wasm/<sha1>.js) must never run. The backend starts in a child process bundled
 * by esbuild, because the pthread shim works only in a bundle (as in dist/), with TMPDIR pointing at a fresh
 * folder so the plant cannot touch the real temp folder.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
let work: string;
let bundle: string;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-wasm-threads-'));
  bundle = path.join(work, 'child.js');
  // Laid out as dist/ is: the .wasm files with the threaded glue beside them.
  const wasmDir = path.join(work, 'wasm');
  fs.mkdirSync(wasmDir);
  const pkg = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm');
  for (const f of fs.readdirSync(path.join(pkg, 'dist')).filter((f) => f.endsWith('.wasm'))) fs.copyFileSync(path.join(pkg, 'dist', f), path.join(wasmDir, f));
  fs.copyFileSync(path.join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'), path.join(wasmDir, 'tfjs-backend-wasm-threaded-simd.js'));
  // The child starts the 2-thread wasm backend, runs one op on it, and reports the folder its scripts live in.
  await esbuild.build({
    stdin: {
      contents: `
        import * as fs from 'node:fs';
        import { selectBackend } from './src/runtime/backend/select';
        import * as wasmThreads from './src/runtime/backend/wasm-threads';
        (async () => {
          const b = await selectBackend('wasm', { threads: 2, wasmDir: ${JSON.stringify(wasmDir)} });
          const sum = b.tf.tidy(() => b.tf.add(b.tf.ones([4]), b.tf.ones([4])).dataSync()[0]);
          const dir = (wasmThreads as { workerScriptDir?: () => string | undefined }).workerScriptDir?.();
          const mode = dir ? (fs.statSync(dir).mode & 0o777).toString(8) : null;
          const files = dir ? fs.readdirSync(dir) : [];
          console.log(JSON.stringify({ threads: b.info.threads, sum, dir, mode, files }));
          process.exit(0);
        })().catch((e) => { console.error(e); process.exit(3); });`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'error',
    mainFields: ['module', 'main'],
  });
});

function runChild(tmpdir: string): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle], { env: { ...process.env, TMPDIR: tmpdir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A planted script that ran never answers the pool's 'load', so the backend would wait forever.
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, 60_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, killed }); });
  });
}

test('a script planted in the old shared temp folder is not run; the scripts live in a private 0700 folder removed at exit', async () => {
  const tmpdir = path.join(work, 'tmp');
  fs.mkdirSync(tmpdir);
  // The old code named the pthread script after the sha1 of the blob tfjs builds from this string.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  const hash = crypto.createHash('sha1').update(wasmWorkerContents.replace(/\n/g, '\\n')).digest('hex').slice(0, 16);
  const shared = path.join(tmpdir, 'dcgan-studio-wasm');
  fs.mkdirSync(shared, { mode: 0o777 });
  const marker = path.join(work, 'planted-script-ran');
  fs.writeFileSync(path.join(shared, `${hash}.js`), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned');\n`);

  const r = await runChild(tmpdir);
  assert.equal(fs.existsSync(marker), false, 'the planted script ran inside the backend\'s worker');
  assert.equal(r.killed, false, `the backend hung\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(report.threads, 2);
  assert.equal(report.sum, 2);
  assert.ok(report.dir, 'the threaded backend wrote its scripts somewhere');
  assert.notEqual(path.resolve(report.dir), shared);
  assert.equal(path.dirname(report.dir), tmpdir, 'a folder of its own under the temp folder');
  assert.equal(report.mode, '700');
  assert.ok(report.files.length >= 1, 'the pthread script is in the private folder');
  assert.equal(fs.existsSync(report.dir), false, 'the private folder is removed when the process exits');
});

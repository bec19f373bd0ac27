#!/usr/bin/env node
// What `npm test` runs after the build: every suite, one after the other (2 cores; the heavy ones would fight):
//   unit     node --test over test/unit/*.test.ts        (one invocation, two files at a time)
//   webview  node --test over test/webview/*.test.ts     (headless Chromium on recorded runs)
//   host     test/host/run-code-server.mjs                (the mocha suite inside a real VS Code extension host)
//   ui       node --test test/ui/*.test.mjs               (F1 → "DCGAN: Train" → dashboard, in code-server)
// Each suite's output streams as it runs. The last line is the total, exactly `N passed, N failed` (with
// `, N skipped` when any were skipped), and the exit code is non-zero when anything failed.
//
// host and ui need code-server: when it is missing this runs scripts/install-code-server.sh (idempotent, a few
// minutes the first time). If that fails, the run fails. Locally, DCGAN_SKIP_HOST=1 skips both with a loud note;
// CI (CI=true) refuses to skip. DCGAN_SUITES=unit,webview runs a subset.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLavapipe } from '../scripts/software-icd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ci = /^(1|true)$/i.test(process.env.CI ?? '');
const skipHost = /^(1|true)$/i.test(process.env.DCGAN_SKIP_HOST ?? '');
const only = process.env.DCGAN_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
// A hung suite must not hang CI: generous, far above what each takes on 2 cores.
const SUITE_TIMEOUT_MS = Number(process.env.DCGAN_SUITE_TIMEOUT_S ?? 40 * 60) * 1000;
// node --test waits for each file's process to exit. A file whose tests pass but which leaves a worker or a timer
// alive (seen with wasm pthread workers) would wait forever; --test-timeout also bounds the file as a whole, kills
// it, and reports it as cancelled, which counts as a failure below. Tests that set their own timeout keep it.
const FILE_TIMEOUT_MS = Number(process.env.DCGAN_TEST_FILE_TIMEOUT_S ?? 10 * 60) * 1000;

function listTests(dir, suffix) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));
}

/** Spawns a command, streams its output, and returns { code, stdout, elapsedMs }. */
function runStreaming(cmd, args, { env } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => process.stderr.write(d));
    const timer = setTimeout(() => {
      console.error(`\n[run-all] ${path.basename(args.at(-1))} ran past ${SUITE_TIMEOUT_MS / 1000} s: killing it`);
      child.kill('SIGKILL');
    }, SUITE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, elapsedMs: Date.now() - started });
    });
  });
}

/**
 * Counts from node's test runner. The spec reporter streams to the terminal; a TAP copy goes to a file whose
 * summary (`# pass N`) is the one stable, machine-readable form across Node 20+.
 */
async function nodeTestSuite(name, files, extraArgs = []) {
  if (files.length === 0) {
    console.log(`[run-all] ${name}: no test files`);
    return { name, passed: 0, failed: 0, skipped: 0, note: 'no test files' };
  }
  const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-tap-')), `${name}.tap`);
  const args = [
    '--import', 'tsx', '--test', `--test-timeout=${FILE_TIMEOUT_MS}`, ...extraArgs,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ];
  const { code, elapsedMs } = await runStreaming(process.execPath, args);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(path.dirname(tap), { recursive: true, force: true });
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const result = { name, passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo'), elapsedMs };
  if (count('cancelled') > 0) result.note = `${count('cancelled')} cancelled: timed out (a file past ${FILE_TIMEOUT_MS / 1000} s is killed) or its process died`;
  // A crash outside any test (a reporter error, a killed process) still has to count as a failure.
  if (code !== 0 && result.failed === 0) {
    result.failed = 1;
    result.note = `exited with code ${code} without a failing test`;
  }
  return result;
}

/** The host runner prints one JSON line last: {"suite":"host","passed":N,"failed":N,"pending":N,...}. */
async function hostSuite(name = 'host', args = []) {
  const { code, stdout, elapsedMs } = await runStreaming(process.execPath, [path.join(root, 'test/host/run-code-server.mjs'), ...args]);
  const last = stdout.trim().split('\n').reverse().find((l) => l.startsWith(`{"suite":"${name}"`));
  let summary = null;
  try { summary = last ? JSON.parse(last) : null; } catch { /* fall through to the failure below */ }
  if (!summary) return { name, passed: 0, failed: 1, skipped: 0, elapsedMs, note: `no result line (exit code ${code})` };
  const result = { name, passed: summary.passed, failed: summary.failed, skipped: summary.pending ?? 0, elapsedMs };
  if (summary.error) result.note = summary.error;
  if (code !== 0 && result.failed === 0) { result.failed = 1; result.note ??= `exited with code ${code}`; }
  return result;
}

function ensureCodeServer() {
  const script = path.join(root, 'scripts/install-code-server.sh');
  console.log('[run-all] checking code-server (scripts/install-code-server.sh; installs on first use)');
  const r = spawnSync('bash', [script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return r.status === 0;
}

const suites = [
  { name: 'unit', webgpu: true, run: () => nodeTestSuite('unit', listTests('test/unit', '.test.ts'), ['--test-concurrency=2']) },
  { name: 'webview', run: () => nodeTestSuite('webview', listTests('test/webview', '.test.ts')) },
  { name: 'host', heavy: true, webgpu: true, run: () => hostSuite() },
  // The same extension host, workspace trust on and the workspace untrusted (issue 12): one more code-server launch.
  { name: 'host-untrusted', heavy: true, run: () => hostSuite('host-untrusted', ['--untrusted']) },
  { name: 'ui', heavy: true, run: () => nodeTestSuite('ui', listTests('test/ui', '.test.mjs')) },
].filter((s) => !only || only.includes(s.name));

const results = [];
const loud = [];
let codeServerReady = null;
let lavapipeReady = null;
for (const suite of suites) {
  console.log(`\n━━━ ${suite.name} ${'━'.repeat(60 - suite.name.length)}`);
  if (suite.webgpu && lavapipeReady === null) {
    // The webgpu tests' software adapter (scripts/software-icd.mjs): without lavapipe they fall back to chromium's
    // SwiftShader, which is about 10× slower (the 50-step webgpu run then takes over 15 minutes).
    console.log('[run-all] checking lavapipe (scripts/install-lavapipe.sh; installs on first use)');
    lavapipeReady = ensureLavapipe();
    if (!lavapipeReady) {
      const msg = 'lavapipe could not be installed (see above): the webgpu tests run on SwiftShader, about 10× slower.';
      console.log(`[run-all] ${msg}`);
      loud.push(msg);
    }
  }
  if (suite.heavy) {
    if (skipHost && !ci) {
      const msg = `SKIPPED the ${suite.name} suite because DCGAN_SKIP_HOST=1. It runs in CI; this run proves less than npm test does.`;
      console.log(`[run-all] ${msg}`);
      loud.push(msg);
      continue;
    }
    if (skipHost && ci) console.log('[run-all] DCGAN_SKIP_HOST is ignored in CI: the extension-host and UI suites always run there.');
    codeServerReady ??= ensureCodeServer();
    if (!codeServerReady) {
      const note = 'code-server could not be installed (see the output of scripts/install-code-server.sh above)';
      console.log(`[run-all] ${suite.name}: ${note}`);
      results.push({ name: suite.name, passed: 0, failed: 1, skipped: 0, note });
      continue;
    }
  }
  results.push(await suite.run());
}

console.log(`\n━━━ summary ${'━'.repeat(53)}`);
for (const r of results) {
  const time = r.elapsedMs !== undefined ? ` in ${(r.elapsedMs / 1000).toFixed(1)} s` : '';
  console.log(`${r.name.padEnd(8)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${time}${r.note ? `  (${r.note})` : ''}`);
}
for (const msg of loud) console.log(`!!! ${msg}`);
const total = results.reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
process.exitCode = total.failed > 0 ? 1 : 0;
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);

#!/usr/bin/env node
// Runs the extension-host mocha suite (test/host/suite/) inside a real VS Code: code-server, offline, driven by
// headless Chromium. The desktop equivalent, for machines that can download VS Code, is run-electron.mjs.
//
//   node test/host/run-code-server.mjs [--timeout 600] [--grep PATTERN] [--keep] [--untrusted]
//
// --untrusted runs test/host/suite-untrusted/ instead, with workspace trust on and the workspace (a copy of
// test/fixtures/untrusted-workspace/) untrusted; its result line says "suite":"host-untrusted".
//
// Needs: `node scripts/build.mjs` (the extension's dist/), and scripts/install-code-server.sh (code-server and
// Chromium). The workspace is a fresh copy of test/fixtures/host-workspace/ in a temp dir.
// Output: the host's console (mocha's spec reporter, one line per test), then a last line of JSON,
//   {"suite":"host","passed":N,"failed":N,"pending":N,"exitCode":N,"durationMs":N,"error"?:"..."}
// which test/run-all.mjs reads. Exit code: 0 when every test passed, 1 when any failed or the run broke,
// 2 when code-server is not installed. Logs and the host's log files land in .test-artifacts/host/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHostTests } from './build-tests.mjs';
import { softwareIcdEnv } from '../../scripts/software-icd.mjs';
import { findCodeServer, launchChromium, makeTmpRoot, makeWorkspace, root, startCodeServer, workbenchUrl } from './code-server.mjs';

const RESULT_PREFIX = 'DCGAN_HOST_RESULT ';
const { values: opts } = parseArgs({
  options: {
    timeout: { type: 'string', default: process.env.DCGAN_HOST_TIMEOUT_S ?? '600' },
    grep: { type: 'string' },
    keep: { type: 'boolean', default: false },
    untrusted: { type: 'boolean', default: false },
  },
});
const suiteName = opts.untrusted ? 'host-untrusted' : 'host';
const timeoutMs = Number(opts.timeout) * 1000;
const artifacts = path.join(root, '.test-artifacts', suiteName);
const started = Date.now();

function finish(summary, exitCode) {
  console.log(JSON.stringify({ suite: suiteName, durationMs: Date.now() - started, ...summary }));
  process.exitCode = exitCode;
}

const codeServer = findCodeServer();
if (!codeServer) {
  console.error('code-server is not installed. Run: bash scripts/install-code-server.sh (about 2 minutes, once).');
  finish({ passed: 0, failed: 0, pending: 0, exitCode: -1, error: 'code-server not installed' }, 2);
  process.exit();
}
if (!fs.existsSync(path.join(root, 'dist/extension.js'))) {
  // The smoke tests still show that the host boots; every test that activates the extension will fail.
  console.error('warning: dist/extension.js is missing, so the extension cannot activate. Run: node scripts/build.mjs');
}

fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });
const serverLog = fs.createWriteStream(path.join(artifacts, 'code-server.log'));
const tmpRoot = makeTmpRoot('dcgan-host-');
let server;
let browser;
let result;
let exitCode = null;
let error;

try {
  const testsIndex = await buildHostTests(opts.untrusted ? 'suite-untrusted' : 'suite');
  const workspace = makeWorkspace(path.join(root, opts.untrusted ? 'test/fixtures/untrusted-workspace' : 'test/fixtures/host-workspace'), tmpRoot);
  server = await startCodeServer({
    codeServer,
    tmpRoot,
    smokeTestDriver: true,
    workspaceTrust: opts.untrusted,
    onLog: (line) => serverLog.write(line + '\n'),
    env: {
      DCGAN_HOST_GREP: opts.grep ?? process.env.DCGAN_HOST_GREP ?? '',
      DCGAN_REPO_ROOT: root,
      DCGAN_TEST_WORKSPACE: workspace,
      // suite/webgpu.test.ts: a software GPU adapter (lavapipe, else SwiftShader) for Dawn in the training worker.
      ...softwareIcdEnv(),
    },
  });
  console.error(`[${suiteName}] code-server on ${server.base}, workspace ${workspace}`);

  browser = await launchChromium();
  const page = await browser.newPage();
  const exited = new Promise((resolve) => {
    page.exposeFunction('codeAutomationExit', (code, logs) => {
      // The host's own log files (exthost.log, remoteagent.log, ...) come with the exit: keep them for debugging.
      for (const { relativePath, contents } of Array.isArray(logs) ? logs : []) {
        const file = path.join(artifacts, 'vscode-logs', relativePath.replace(/^(\.\.\/)+/, ''));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, contents);
      }
      resolve(code);
    });
  });
  await page.exposeFunction('codeAutomationLog', (level, message) => {
    const text = String(message);
    for (const line of text.split('\n')) {
      const at = line.indexOf(RESULT_PREFIX);
      if (at >= 0) {
        try { result = JSON.parse(line.slice(at + RESULT_PREFIX.length)); } catch { /* a truncated line: counts stay unknown */ }
      }
    }
    serverLog.write(`[workbench ${level}] ${text}\n`);
    if (!isNoise(text)) console.log(level === 'info' ? text : `[${level}] ${text}`);
  });
  page.on('pageerror', (err) => serverLog.write(`[page error] ${err.message}\n`));

  const url = workbenchUrl(server.base, server.port, workspace, {
    extensionDevelopmentPath: root,
    extensionTestsPath: testsIndex,
  });
  await page.goto(url);
  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    error = `the suite did not finish within ${timeoutMs / 1000} s (raise it with --timeout SECONDS)`;
    await page.screenshot({ path: path.join(artifacts, 'timeout.png') }).catch(() => {});
  } else {
    exitCode = outcome;
  }
} catch (err) {
  error = err instanceof Error ? err.message : String(err);
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  serverLog.end();
  if (opts.keep) console.error(`[host] kept ${tmpRoot}`);
  else fs.rmSync(tmpRoot, { recursive: true, force: true });
}

// Harmless offline noise (see ENVIRONMENT.md): the marketplace and telemetry are unreachable by design.
function isNoise(text) {
  return /ENOTFOUND|open-vsx\.org|telemetry|marketplace/i.test(text);
}

if (!result && exitCode === 0) error = 'the host exited 0 but the suite printed no result line';
if (!result && !error) error = `the extension host exited with code ${exitCode} before the suite reported`;
if (error) console.error(`[host] ${error}. Logs: ${path.relative(process.cwd(), artifacts)}/`);
const counts = result ?? { passed: 0, failed: 0, pending: 0 };
// A broken run with no counts still has to show up as a failure in run-all's total.
const failed = counts.failed + (error && counts.failed === 0 ? 1 : 0);
finish(
  { passed: counts.passed, failed, pending: counts.pending, exitCode, ...(error ? { error } : {}) },
  failed > 0 || exitCode !== 0 ? 1 : 0,
);

// The extension-host test entry. VS Code (desktop through @vscode/test-electron, or code-server through
// run-code-server.mjs) loads this file as `extensionTestsPath` inside the extension host and awaits `run()`;
// a rejection makes the host exit non-zero.
//
// The suite files are compiled next to this file, under ./suite/, by test/host/build-tests.mjs. They are found
// by listing that folder rather than by a static import, so that a suite file added by anyone runs without
// touching this one. DCGAN_HOST_GREP (a mocha grep pattern) narrows the run while working on one test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** The runners look for this prefix in the host's console to read the counts without parsing reporter output. */
export const RESULT_PREFIX = 'DCGAN_HOST_RESULT ';

export interface HostResult {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  durationMs: number;
}

function findSuiteFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

// Reporters print with printf-style arguments; the host forwards console arguments to the runner joined by commas,
// which would print "✔ %s,title". Format them here so each line arrives as the reporter meant it.
(Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void }).consoleLog = (...args) =>
  console.log(format(...args));

export function run(): Promise<void> {
  const started = Date.now();
  const mocha = new Mocha({
    ui: 'bdd',
    // The host's console goes through the workbench to a log, not a terminal: no colours, one line per test.
    color: false,
    reporter: 'spec',
    // Activation and a tiny training run take seconds; a test that needs longer says so with this.timeout().
    timeout: Number(process.env.DCGAN_HOST_TEST_TIMEOUT_MS ?? 60_000),
    grep: process.env.DCGAN_HOST_GREP || undefined,
  });

  const files = findSuiteFiles(path.join(__dirname, 'suite'));
  for (const f of files) mocha.addFile(f);

  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`No *.test.js files under ${path.join(__dirname, 'suite')}: was test/host/build-tests.mjs run?`));
      return;
    }
    const failures: HostResult['failures'] = [];
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failed) => {
        const stats = runner.stats;
        const result: HostResult = {
          passed: stats?.passes ?? 0,
          failed: stats?.failures ?? failed,
          pending: stats?.pending ?? 0,
          failures,
          durationMs: Date.now() - started,
        };
        console.log(RESULT_PREFIX + JSON.stringify(result));
        if (failed > 0) reject(new Error(`${failed} extension-host test(s) failed`));
        else resolve();
      });
      runner.on('fail', (test, err: unknown) => {
        failures.push({ title: test.fullTitle(), error: err instanceof Error ? err.message : String(err) });
      });
    } catch (err) {
      // A suite file that throws while loading (a bad import) lands here, before any test runs.
      console.error(err);
      console.log(RESULT_PREFIX + JSON.stringify({ passed: 0, failed: 1, pending: 0, failures: [{ title: 'loading the suite', error: String(err) }], durationMs: Date.now() - started }));
      reject(err);
    }
  });
}

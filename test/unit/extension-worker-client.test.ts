// The job worker (src/extension/jobWorkerClient.ts) with the real dist/worker.js. A newer lint of a config aborts the
// older one in the worker, which then never answers it: the older request must still resolve (with the newer
// lint's result), or the command awaiting it ("DCGAN: Lint Dataset" on an open config, which the editor re-lints
// as it opens) hangs forever. Found while testing issue 12 in the extension host.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerClient } from '../../src/extension/jobWorkerClient';

const SCRIPT = path.resolve(__dirname, '../../dist/worker.js');
const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} } as unknown as import('vscode').LogOutputChannel;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-jobs-'));
const client = new WorkerClient(SCRIPT, log);
after(() => { client.dispose(); fs.rmSync(tmp, { recursive: true, force: true }); });

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

test('two lints of the same config in a row both get an answer', { timeout: 90_000 }, async () => {
  assert.ok(fs.existsSync(SCRIPT), 'needs the build (npm run build): dist/worker.js');
  const config = path.join(tmp, 'dcgan.json');
  const older = client.lint(config, JSON.stringify({ data: { path: 'builtin:mnist', scale: 'none' } }));
  const newer = client.lint(config, JSON.stringify({ data: { path: 'builtin:mnist', scale: 'auto' } }));
  const [a, b] = await within(Promise.all([older, newer]), 60_000, 'the older lint');
  assert.deepEqual(a, b, 'the superseded lint resolves with the newer lint\'s result');
  assert.ok(!b.problems.some((p) => p.code === 'data/out-of-range'), 'the newer text (scale auto) is the one linted');
});

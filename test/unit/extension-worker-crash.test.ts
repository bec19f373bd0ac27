// A training worker that crashes or runs out of memory mid-run (issue 12): the host process (here the test, in VS
// Code the extension host) stays up, the run ends as "error" with the reason, and the last checkpoint is kept and
// named. Real crashes of the real dist/worker.js: a worker with a small heap limit that allocates until V8 ends it,
// and one that throws outside the trainer (DCGAN_TEST_WORKER_CRASH, read by src/worker/workerMain.ts).
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainingWorker } from '../../src/extension/trainingWorkerClient';
import type { EndEvent, TrainEvent } from '../../src/runtime/events';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'dist/worker.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-crash-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CONFIG = JSON.stringify({
  data: { path: 'builtin:mnist', scale: 'auto', limit: 16 },
  model: { latentDim: 4, generatorFilters: 1, discriminatorFilters: 1 },
  training: { batchSize: 8, steps: 50, seed: 7 },
  output: { dir: 'runs', sampleEvery: 100, checkpointEvery: 2, sampleCount: 4 },
  runtime: { backend: 'wasm', threads: 1 },
});

async function crashRun(kind: 'oom' | 'throw', name: string): Promise<{ end: EndEvent; events: TrainEvent[]; runDir: string; logs: string[] }> {
  const runDir = path.join(tmp, name);
  const events: TrainEvent[] = [];
  const logs: string[] = [];
  process.env.DCGAN_TEST_WORKER_CRASH = `${kind}@2`;
  let worker: TrainingWorker;
  try {
    worker = new TrainingWorker({
      script: SCRIPT,
      name,
      // Enough for training the tiny model; the hook's allocations pass it within a second.
      resourceLimits: kind === 'oom' ? { maxOldGenerationSizeMb: 96 } : undefined,
      start: { type: 'start', configFile: path.join(tmp, 'crash.dcgan.json'), configText: CONFIG, runDir, searchPaths: [], wasmDir: path.join(ROOT, 'dist'), emitGridPixels: false },
      onEvent: (e) => events.push(e),
      onLog: (level, message) => logs.push(`${level} ${message}`),
    });
  } finally {
    delete process.env.DCGAN_TEST_WORKER_CRASH; // the worker copied the environment when it started
  }
  const end = await worker.done;
  return { end, events, runDir, logs };
}

function assertCrashKept(r: Awaited<ReturnType<typeof crashRun>>, reason: RegExp): void {
  const { end, events, runDir } = r;
  assert.equal(end.reason, 'error', JSON.stringify(end));
  assert.match(end.message ?? '', /The training worker crashed/);
  assert.match(end.message ?? '', reason);
  assert.equal(events[events.length - 1], end, 'the crash reaches the event stream as its last event');
  const steps = events.filter((e) => e.event === 'step').map((e) => e.step);
  assert.ok(steps.includes(3) && !steps.includes(50), `crashed mid-run, steps ${steps.join(',')}`);
  const ckpt = events.filter((e) => e.event === 'checkpoint').pop();
  assert.ok(ckpt && ckpt.event === 'checkpoint' && ckpt.step >= 2, 'a checkpoint was written before the crash');
  assert.equal(end.checkpoint, ckpt.dir, 'the end names the last checkpoint');
  assert.match(end.message ?? '', new RegExp(`step ${ckpt.step}, is kept`));
  assert.ok(fs.existsSync(path.join(ckpt.dir, 'manifest.json')) && fs.existsSync(path.join(ckpt.dir, 'weights.bin')), 'the checkpoint is on disk');
  // The run folder says how it ended, for a dashboard restored later and the side view.
  const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(JSON.parse(lines[lines.length - 1]), end);
  const runJson = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
  assert.equal(runJson.status, 'error');
  assert.equal(runJson.message, end.message);
}

test('out of memory in the training worker: the host stays up, the run ends as crashed, the checkpoint is kept', { timeout: 120_000 }, async () => {
  assert.ok(fs.existsSync(SCRIPT), 'needs the build (npm run build): dist/worker.js');
  const rssBefore = process.memoryUsage().rss;
  const r = await crashRun('oom', 'oom-run');
  assertCrashKept(r, /ran out of memory/);
  assert.ok(r.logs.some((l) => /ERR_WORKER_OUT_OF_MEMORY|memory limit/.test(l)), r.logs.join('\n'));
  // This process is the extension host's stand-in: alive, and its own heap did not take the worker's allocations.
  assert.ok(process.memoryUsage().rss - rssBefore < 400e6, `host RSS grew by ${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} MB`);
});

test('an exception outside the trainer ends the worker: the reason and the checkpoint reach the host', { timeout: 120_000 }, async () => {
  const r = await crashRun('throw', 'throw-run');
  assertCrashKept(r, /crashed on purpose at step 3/);
});

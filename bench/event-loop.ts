/**
 * Does the host's thread stay responsive while a 64×64×3 run trains in the worker?
 *   npm run build && node --import tsx bench/event-loop.ts [--steps 8] [--threshold 50]
 *
 * Plays the extension host's part outside VS Code: starts dist/worker.js as src/extension/session.ts does
 * (same start request, grid pixels on, as when the dashboard is open), checks every message with the protocol's
 * guard, and serialises each one as the webview transport would (JSON; the 64-sample grid as a pixels payload).
 * Meanwhile perf_hooks.monitorEventLoopDelay samples this thread. Prints p50 / p99 / max and PASS or FAIL
 * against the threshold (the target: p99 under 50 ms). Not a test: the figure depends on the machine's
 * load, so it lives here, never in `npm test`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { gridPayloadFromImage, isWorkerToHost, type HostToWorker } from '../src/protocol';
import { syntheticNpy } from './models';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = path.resolve(__dirname, '..');
const steps = Number(opt('steps', '8'));
const threshold = Number(opt('threshold', '50'));

async function main(): Promise<void> {
  const workerScript = path.join(root, 'dist', 'worker.js');
  if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first.`);
  const dir = path.join(root, '.bench', 'event-loop');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'dcgan.json');
  fs.writeFileSync(configFile, JSON.stringify({
    data: { path: syntheticNpy(path.join(root, '.bench'), 64, 3) },
    model: { generatorFilters: 64, discriminatorFilters: 64, discriminatorDropout: 0 },
    training: { batchSize: 64, steps },
    output: { dir: 'runs', sampleEvery: 2, checkpointEvery: 1_000_000 },
  }, null, 2));

  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const worker = new Worker(workerScript, { name: 'dcgan-train-bench' });
  let stepsSeen = 0;
  let grids = 0;
  let serialisedBytes = 0;
  let firstStepAt = 0;
  const done = new Promise<string>((resolve, reject) => {
    worker.on('message', (msg: unknown) => {
      if (!isWorkerToHost(msg)) return reject(new Error(`the worker sent a message the protocol guard refuses: ${JSON.stringify(msg)?.slice(0, 200)}`));
      if (msg.type === 'fatal') return reject(new Error(`worker: ${msg.message}`));
      if (msg.type !== 'event') return;
      const e = msg.event;
      if (e.event === 'step') {
        if (stepsSeen++ === 0) {
          // The first step includes compiling XNNPACK operators; measure from there on.
          histogram.reset();
          histogram.enable();
          firstStepAt = performance.now();
        }
      }
      // What the host forwards to the dashboard: the event, and the grid as its own pixels message.
      if (e.event === 'samples' && e.grid) {
        grids++;
        const { grid, ...rest } = e;
        serialisedBytes += JSON.stringify({ type: 'event', runId: 'bench', event: rest }).length;
        serialisedBytes += JSON.stringify({ type: 'grid', runId: 'bench', step: e.step, image: { ...gridPayloadFromImage(grid), data: Array.from(grid.data) } }).length;
      } else {
        serialisedBytes += JSON.stringify({ type: 'event', runId: 'bench', event: e }).length;
      }
      if (e.event === 'end') resolve(e.reason);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the worker exited (code ${code}) before the run ended`)));
  });
  const start: HostToWorker = { type: 'start', configFile, searchPaths: [], runDir: path.join(dir, 'run'), wasmDir: path.join(root, 'dist'), emitGridPixels: true };
  worker.postMessage(start);
  const reason = await done;
  histogram.disable();
  const seconds = (performance.now() - firstStepAt) / 1000;
  await worker.terminate();
  const ms = (ns: number) => ns / 1e6;
  const p99 = ms(histogram.percentile(99));
  console.log(`Event-loop delay of the host thread while a 64×64×3 run (ngf = ndf = 64, batch 64) trained in the worker, grids on:`);
  console.log(`  run ${reason}, ${stepsSeen} steps, ${grids} grids, ${(serialisedBytes / 1e6).toFixed(1)} MB serialised, ${seconds.toFixed(0)} s measured, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log(`  p50 ${ms(histogram.percentile(50)).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${ms(histogram.max).toFixed(1)} ms (${histogram.count} samples)`);
  console.log(p99 < threshold ? `PASS: p99 ${p99.toFixed(1)} ms < ${threshold} ms` : `FAIL: p99 ${p99.toFixed(1)} ms ≥ ${threshold} ms`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = p99 < threshold ? 0 : 1;
}

main().catch((err) => {
  console.error(`event-loop bench: ${(err as Error).message}`);
  process.exit(2);
});

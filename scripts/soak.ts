/**
 * The soak: trains for a long time (30 minutes by default) through the real training worker (dist/worker.js)
 * with the dashboard's message stream attached, the way the extension host drives it: every worker message
 * is checked by the protocol guard, kept in a RunHistory, turned into the host→webview messages
 * (liveEventMessages) and structured-cloned as postMessage would, then checked by the webview's guard.
 * Every minute it samples the process's resident memory (host and worker share it) and the worker's live
 * tensor count, and at the end prints both least-squares slopes, which should be flat.
 *
 *   npm run soak                      30 minutes
 *   npm run soak -- --minutes 3       shorter
 *   npm run soak -- --sample-seconds 10 --keep
 *
 * Not part of npm test: it takes as long as it is told to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isHostToWebview, isWorkerToHost, type HostToWorker } from '../src/protocol';
import { RunHistory } from '../src/extension/runHistory';
import { liveEventMessages } from '../src/extension/views/messages';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0)) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

const minutes = flag('minutes', 30);
const sampleSeconds = flag('sample-seconds', 60);
const keep = process.argv.includes('--keep');

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2; }
  return den > 0 ? num / den : NaN;
}

interface Sample { minute: number; step: number; rssMb: number; heapMb: number; tensors: number; webviewMessages: number }

async function main(): Promise<void> {
  const script = path.join(DIST, 'worker.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing; run npm run build first (npm run soak does).`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-soak-'));
  const configFile = path.join(work, 'soak.dcgan.json');
  // The demo's model and data; sampled and checkpointed often so grids and checkpoint writes recur many times.
  fs.writeFileSync(configFile, JSON.stringify({
    data: { path: 'builtin:mnist', scale: 'auto' },
    model: { generatorFilters: 16, discriminatorFilters: 16, discriminatorDropout: 0, outputActivation: 'tanh' },
    training: { batchSize: 32, steps: 10_000_000, learningRate: 0.002, beta1: 0.5, generatorAverage: 0.999, seed: 42 },
    output: { dir: 'runs', sampleEvery: 20, checkpointEvery: 200, keepCheckpoints: 2, sampleCount: 64 },
    runtime: { backend: 'wasm' },
  }, null, 2));

  const history = new RunHistory();
  let step = 0;
  let webviewMessages = 0;
  let runId = 'soak';
  let fatal: string | undefined;
  let nextProbe = 1;
  const probes = new Map<number, (p: { tensors: number; rssBytes: number }) => void>();

  const worker = new Worker(script, { name: 'dcgan-soak' });
  const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
  worker.on('error', (err) => { fatal = err.stack ?? err.message; });
  worker.on('message', (msg: unknown) => {
    if (!isWorkerToHost(msg)) throw new Error(`the worker sent a message the protocol guard rejects: ${JSON.stringify(msg)?.slice(0, 200)}`);
    switch (msg.type) {
      case 'event': {
        const event = msg.event;
        if (event.event === 'start') runId = event.runId;
        if (event.event === 'step') step = event.step;
        history.add(event);
        for (const m of liveEventMessages(runId, event)) {
          // What a webview receives: a structured clone, checked by the webview's own guard.
          if (!isHostToWebview(structuredClone(m))) throw new Error(`a host→webview message fails its guard: ${JSON.stringify(m).slice(0, 200)}`);
          webviewMessages++;
        }
        return;
      }
      case 'probeResult': probes.get(msg.id)?.(msg); probes.delete(msg.id); return;
      case 'fatal': fatal = msg.message; return;
      case 'log': if (msg.level !== 'info') console.error(`[worker ${msg.level}] ${msg.message}`); return;
      default: return;
    }
  });
  const post = (m: HostToWorker) => worker.postMessage(m);
  post({ type: 'start', configFile, searchPaths: [], wasmDir: DIST, emitGridPixels: true, runDir: path.join(work, 'runs', 'soak') });

  const probe = () => new Promise<{ tensors: number; rssBytes: number }>((resolve, reject) => {
    const id = nextProbe++;
    const timer = setTimeout(() => reject(new Error('the worker did not answer a probe within 120 s')), 120_000);
    probes.set(id, (p) => { clearTimeout(timer); resolve(p); });
    post({ type: 'probe', id });
  });

  const samples: Sample[] = [];
  const t0 = Date.now();
  console.log(`soak: ${minutes} min, a sample every ${sampleSeconds} s, run folder ${work}`);
  console.log('minute   step   rss MB  heap MB  tensors  webview msgs');
  for (let k = 1; k * sampleSeconds <= minutes * 60; k++) {
    const wait = t0 + k * sampleSeconds * 1000 - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    if (fatal) break;
    const p = await probe();
    const s: Sample = {
      minute: (Date.now() - t0) / 60_000, step, rssMb: p.rssBytes / 2 ** 20,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20, tensors: p.tensors, webviewMessages,
    };
    samples.push(s);
    console.log(`${s.minute.toFixed(1).padStart(6)} ${String(s.step).padStart(6)} ${s.rssMb.toFixed(1).padStart(8)} ${s.heapMb.toFixed(1).padStart(8)} ${String(s.tensors).padStart(8)} ${String(s.webviewMessages).padStart(13)}`);
  }
  post({ type: 'stop' });
  const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => { void worker.terminate(); r(-1); }, 60_000))]);
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
  if (fatal) throw new Error(`training failed: ${fatal}`);
  // The first minute holds the warm-up (wasm compile, first allocations); the slopes start after it.
  const steady = samples.length > 3 ? samples.slice(1) : samples;
  const xs = steady.map((s) => s.minute);
  const result = {
    minutes: Number(((Date.now() - t0) / 60_000).toFixed(2)), steps: step, samples: samples.length, workerExit: code,
    rssSlopeMbPerMin: Number(slope(xs, steady.map((s) => s.rssMb)).toFixed(3)),
    tensorSlopePerMin: Number(slope(xs, steady.map((s) => s.tensors)).toFixed(3)),
    hostHeapSlopeMbPerMin: Number(slope(xs, steady.map((s) => s.heapMb)).toFixed(3)),
    rssMb: { first: samples[0]?.rssMb.toFixed(1), last: samples[samples.length - 1]?.rssMb.toFixed(1) },
    tensors: { first: samples[0]?.tensors, last: samples[samples.length - 1]?.tensors },
  };
  console.log(`slopes after the first minute: RSS ${result.rssSlopeMbPerMin} MB/min, tensors ${result.tensorSlopePerMin} per min, host heap ${result.hostHeapSlopeMbPerMin} MB/min`);
  console.log(JSON.stringify(result));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});

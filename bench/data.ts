/**
 * `npm run bench:data`: DCGAN Studio's image-folder pipeline beside torchvision's ImageFolder + DataLoader (Debian's
 * PyTorch 1.13 / torchvision 0.14 at /usr/bin/python3), same Resize(64) + CenterCrop(64), in one run, each
 * configuration in its own process, the two sides interleaved so that the machine's load falls on both alike.
 *
 *   npm run bench:data -- [--folder DIR] [--count N] [--big DIR] [--batches B] [--no-step1]
 *
 * --folder: CelebA-like 178×218 JPEGs (made by bench/make_image_folder.py when missing; default 50,000 images, more
 *   than the 512 MiB in-memory cache holds at 64×64×3, so decoding and the prepared cache are both measured).
 * --big: a folder for the time to step 1 (default 200,000 64×64 JPEGs, made when missing: about 800 MB).
 * Prints images/s over B batches of 64 after the first (default 60), the time to the first batch from process
 * start, peak RSS, and the ratios; and the time from `dcgan-studio train --steps 1` to its step-1 event.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const folder = path.resolve(arg('folder', path.join(root, '.bench/celeba-like-50k')));
const count = Number(arg('count', '50000'));
const big = path.resolve(arg('big', path.join(root, '.bench/folder-200k-64')));
const batches = Number(arg('batches', '60'));
const python = '/usr/bin/python3';
const cores = os.availableParallelism();

interface Run { firstBatchS: number; result: Record<string, number | string> }

function ensureFolder(dir: string, n: number, size?: [number, number]): void {
  const images = path.join(dir, 'images');
  const have = fs.existsSync(images) ? fs.readdirSync(images).length : 0;
  if (have >= n) return;
  console.log(`making ${n - have} JPEGs in ${images} (bench/make_image_folder.py)…`);
  const r = spawnSync('nice', [python, path.join(root, 'bench/make_image_folder.py'), dir, String(n), ...(size ? size.map(String) : [])], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not make the image folder');
}

/** Runs a side; resolves with the time from spawn to "first-batch" (or a step-1 event) and its JSON result line. */
function run(cmd: string, args: string[], firstLine: (line: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = NaN;
    let result: Record<string, number | string> = {};
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (Number.isNaN(first) && firstLine(line)) first = (performance.now() - t0) / 1000;
        if (line.startsWith('{"imagesPerSecond"')) result = JSON.parse(line) as Record<string, number | string>;
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve({ firstBatchS: first, result }) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

const ours = (mode: string, workers: number, dir = folder) => run('nice', ['node', '--import', 'tsx', 'bench/data-side.ts', mode, dir, String(workers), String(batches)], (l) => l === 'first-batch');
const theirs = (workers: number, dir = folder) => run('nice', [python, 'bench/torch_data.py', dir, String(workers), String(batches)], (l) => l === 'first-batch');

async function stepOne(dir: string): Promise<number> {
  const cfgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-bench-step1-'));
  const cfg = path.join(cfgDir, 'dcgan.json');
  // A small model, so that the time is the data check and start-up, not the first step's arithmetic.
  fs.writeFileSync(cfg, JSON.stringify({ data: { path: dir, cacheDir: 'cache' }, model: { imageSize: 64, generatorFilters: 8, discriminatorFilters: 8 }, training: { steps: 1 }, output: { dir: 'runs', sampleEvery: 1000 } }));
  try {
    const r = await run('nice', ['node', path.join(root, 'dist/cli.js'), 'train', cfg, '--steps', '1', '--json'], (l) => l.startsWith('{"event":"step"'));
    return r.firstBatchS;
  } finally {
    fs.rmSync(cfgDir, { recursive: true, force: true });
  }
}

const f = (x: unknown, d = 0) => (typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
const ratio = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('run npm run build first (npm run bench:data does)');
  ensureFolder(folder, count);
  const load0 = os.loadavg();
  console.log(`bench:data on ${cores} cores, load average ${load0.map((l) => l.toFixed(2)).join(' ')} (a shared machine: compare the ratios, not the absolute figures)`);
  console.log(`folder ${folder} (${count.toLocaleString('en-US')} images); ${batches} batches of 64 per measurement`);
  const prepared = await ours('prepared', 0);
  const t0 = await theirs(0);
  const o0 = await ours('cold', 0);
  const tN = await theirs(cores);
  const oN = await ours('cold', cores);
  const jN = await ours('cold-js', cores);
  const rows: [string, string, string, string][] = [
    ['decoder', String(o0.result.decoder), 'PIL (libjpeg-turbo)', ''],
    ['open + first batch, 0 workers (ours: on the calling thread) (s)', f(o0.firstBatchS, 2), f(t0.firstBatchS, 2), ratio(t0.firstBatchS, o0.firstBatchS) + ' faster'],
    [`first epoch (decode), 0 workers: images/s`, f(o0.result.imagesPerSecond), f(t0.result.imagesPerSecond), ratio(o0.result.imagesPerSecond, t0.result.imagesPerSecond)],
    [`first epoch (decode), ${cores} workers: images/s`, f(oN.result.imagesPerSecond), f(tN.result.imagesPerSecond), ratio(oN.result.imagesPerSecond, tN.result.imagesPerSecond)],
    [`first epoch, ${cores} workers, pure-JS decoders (the VSIX): images/s`, f(jN.result.imagesPerSecond), f(tN.result.imagesPerSecond), ratio(jN.result.imagesPerSecond, tN.result.imagesPerSecond)],
    [`later epochs: images/s (ours: prepared cache; theirs: decode, ${cores} workers)`, f(prepared.result.imagesPerSecond), f(tN.result.imagesPerSecond), ratio(prepared.result.imagesPerSecond, tN.result.imagesPerSecond)],
    ['prepare the whole folder, every core: images/s', prepared.result.prepareImagesPerSecond !== undefined ? f(prepared.result.prepareImagesPerSecond) : 'cache was there', '—', ''],
    ['peak RSS, 0 workers (MB)', f(o0.result.peakRssMb), f(t0.result.peakRssMb), ''],
    [`peak RSS, ${cores} workers (MB)`, f(oN.result.peakRssMb), `${f(tN.result.peakRssMb)} + ${f(tN.result.peakWorkerRssMb)} (largest worker)`, ''],
    ['peak RSS, prepared cache (MB)', f(prepared.result.peakRssMb), '—', ''],
  ];
  if (!process.argv.includes('--no-step1')) {
    ensureFolder(big, 200_000, [64, 64]);
    const bigCount = fs.readdirSync(path.join(big, 'images')).length;
    const s1 = await stepOne(big);
    const tBig = await theirs(0, big);
    rows.push([`time to step 1, ${bigCount.toLocaleString('en-US')} files (s; theirs: first batch)`, f(s1, 1), f(tBig.firstBatchS, 1), '']);
    const s50 = await stepOne(folder);
    rows.push([`time to step 1, ${count.toLocaleString('en-US')} files (s; theirs: first batch)`, f(s50, 1), f(t0.firstBatchS, 1), '']);
  }
  const w = [Math.max(...rows.map((r) => r[0].length)), 22, 24, 14];
  console.log(`\n| ${'measure'.padEnd(w[0])} | ${'DCGAN Studio'.padEnd(w[1])} | ${'torchvision 0.14'.padEnd(w[2])} | ratio |`);
  console.log(`| ${'-'.repeat(w[0])} | ${'-'.repeat(w[1])} | ${'-'.repeat(w[2])} | ----- |`);
  for (const r of rows) console.log(`| ${r[0].padEnd(w[0])} | ${r[1].padEnd(w[1])} | ${r[2].padEnd(w[2])} | ${r[3]} |`);
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; served from: ${prepared.result.servedFrom}`);
}

void main().catch((err) => { console.error(err); process.exit(1); });

/**
 * Lint of a 1 GB .npy, cold cache: wall time and peak RSS of `node dist/cli.js lint FILE` (issue 10's target:
 * under 3 s and under 100 MB).
 *   npm run build && node --import tsx bench/lint-large.ts [--mb 1024] [--dtype float32|uint8] [--runs 2]
 *
 * The file is float32 [N,64,64,3] in [0,255] (a .jpg → .npy conversion that was never rescaled: the classic bug
 * the lint exists for), written once to .bench/. Before each run its pages are dropped from the page cache with
 * posix_fadvise(DONTNEED) (no root needed; python3's os.posix_fadvise), so the lint reads it from disk. Peak RSS
 * is GNU time's maximum resident set size of the child (package `time`). Not a test: the figures depend on the
 * disk and the machine's load.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { npyHeader } from './models';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = path.resolve(__dirname, '..');
const mb = Number(opt('mb', '1024'));
const dtype = opt('dtype', 'float32');
const runs = Number(opt('runs', '2'));
const THRESHOLD_S = 3;
const THRESHOLD_MB = 100;

function writeNpy(file: string): void {
  const bytesPer = dtype === 'uint8' ? 1 : 4;
  const per = 64 * 64 * 3;
  const n = Math.floor((mb * 2 ** 20) / (per * bytesPer));
  const fd = fs.openSync(file + '.part', 'w');
  fs.writeSync(fd, npyHeader(dtype === 'uint8' ? '|u1' : '<f4', [n, 64, 64, 3]));
  // 256 images per write; pixel values 0..255 as a photo's would be.
  const chunkImages = 256;
  const chunk = dtype === 'uint8' ? new Uint8Array(chunkImages * per) : new Float32Array(chunkImages * per);
  let seed = 7;
  for (let i = 0; i < chunk.length; i++) chunk[i] = ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  for (let done = 0; done < n; done += chunkImages) {
    const k = Math.min(chunkImages, n - done);
    fs.writeSync(fd, new Uint8Array(chunk.buffer, 0, k * per * bytesPer));
  }
  fs.closeSync(fd);
  fs.renameSync(file + '.part', file);
}

function dropFromCache(file: string): boolean {
  const py = `import os\nfd = os.open(${JSON.stringify(file)}, os.O_RDONLY)\nos.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\nos.close(fd)`;
  return spawnSync('python3', ['-c', py]).status === 0;
}

function main(): void {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first.`);
  const dir = path.join(root, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `lint-${mb}mb-${dtype}.npy`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`[lint-large] writing ${file} (${mb} MB)\n`);
    writeNpy(file);
  }
  const size = fs.statSync(file).size;
  console.log(`Lint of ${path.basename(file)} (${(size / 2 ** 20).toFixed(0)} MB, ${dtype}), cold cache, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  let pass = true;
  for (let r = 0; r < runs; r++) {
    const cold = dropFromCache(file);
    // The child's peak RSS: GNU time's %M (kilobytes), which spawnSync does not report itself.
    const t0 = performance.now();
    const child = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, cli, 'lint', file], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const s = (performance.now() - t0) / 1000;
    const rssKb = Number(/maxrss_kb=(\d+)/.exec(child.stderr ?? '')?.[1] ?? NaN);
    if (child.error) throw new Error(`/usr/bin/time: ${child.error.message} (apt-get install time)`);
    const found = /\b(data|dataset)\/[a-z-]+/.exec(child.stdout + child.stderr)?.[0] ?? 'no problem code';
    const ok = s < THRESHOLD_S && rssKb / 1024 < THRESHOLD_MB;
    pass &&= ok;
    console.log(`  run ${r + 1}: ${s.toFixed(2)} s${cold ? ' (cold)' : ' (cache not dropped)'}, peak RSS ${(rssKb / 1024).toFixed(0)} MB, exit ${child.status}, reported ${found}`);
  }
  console.log(`${pass ? 'PASS' : 'FAIL'}: target under ${THRESHOLD_S} s and under ${THRESHOLD_MB} MB`);
}

main();

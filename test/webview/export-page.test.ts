// The README's web page (examples/web/index.html, the same text) in headless Chromium with stock TensorFlow.js
// (the npm package's dist/tf.min.js): it loads a model written by exportGenerator and draws an 8×8 grid. The same
// page's tfjs then runs the model on the checkpoint's fixed noise, which must match the trainer's sampling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { selectBackend } from '../../src/runtime/backend/select';
import { train } from '../../src/runtime/train/trainer';
import { loadGenerator, readCheckpoint, tensorData } from '../../src/runtime/train/checkpoint';
import { latestCheckpoint } from '../../src/runtime/runs';
import { exportGenerator } from '../../src/runtime/runs';
import { tinyConfig } from '../unit/train-helpers';
import { ARTIFACTS, ROOT, launch } from './harness';

const ORIGIN = 'http://page.test';
const PAGE = path.join(ROOT, 'examples/web/index.html');
const TFJS = path.join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');
let browser: Browser;
let modelDir: string;
let noise: { values: number[]; shape: number[] };
let expected: Float32Array;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-export-page-'));
  const backend = await selectBackend('wasm');
  const end = await train({ config: tinyConfig(dir), baseDir: dir, backend, runDir: path.join(dir, 'run'), onEvent: () => undefined });
  assert.equal(end.reason, 'completed', end.message);
  const ckptDir = latestCheckpoint(path.join(dir, 'run'))!;
  modelDir = path.join(dir, 'model');
  await exportGenerator(ckptDir, modelDir);
  const ckpt = readCheckpoint(ckptDir);
  const tf = backend.tf;
  const z = tf.tensor(tensorData(ckpt, ckpt.manifest.fixedNoise), ckpt.manifest.fixedNoise.shape);
  const g = loadGenerator(tf, ckpt);
  const y = g.apply(z as Parameters<typeof g.apply>[0]);
  expected = (await y.data()) as Float32Array;
  noise = { values: Array.from(await z.data()), shape: z.shape };
  tf.dispose([z, y, ...g.variables]);
  browser = await launch();
});
after(async () => browser?.close());

test('README shows examples/web/index.html verbatim', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(fs.readFileSync(PAGE, 'utf8').trim()), 'the README\'s page and examples/web/index.html have drifted apart');
});

test('the page draws an 8×8 grid from the exported model with stock tfjs, and its output matches the trainer', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname);
    const file = rel === '/' ? PAGE : rel === '/tf.min.js' ? TFJS : rel.startsWith('/model/') ? path.join(modelDir, path.basename(rel)) : undefined;
    if (!file || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return route.fulfill({ status: 200, body: fs.readFileSync(file), contentType: type });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (document.getElementById('digits') as HTMLCanvasElement).width === 8 * 28, undefined, { timeout: 60_000 });
  const drawn = await page.evaluate(() => {
    const canvas = document.getElementById('digits') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const values = new Set<number>();
    for (let i = 0; i < data.length; i += 4) values.add(data[i]);
    return { width: canvas.width, height: canvas.height, distinct: values.size };
  });
  assert.deepEqual([drawn.width, drawn.height], [224, 224]);
  assert.ok(drawn.distinct > 20, `the grid has ${drawn.distinct} gray levels: not drawn from the model`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'export-page.png') });

  const result = await page.evaluate(async (z) => {
    const tfg = (globalThis as unknown as { tf: any }).tf; // eslint-disable-line @typescript-eslint/no-explicit-any
    const model = await tfg.loadGraphModel('model/model.json');
    const y = model.predict(tfg.tensor(z.values, z.shape));
    return { backend: tfg.getBackend() as string, values: Array.from((await y.data()) as Float32Array) };
  }, noise);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff = Math.max(diff, Math.abs(expected[i] - result.values[i]));
  console.log(`browser tfjs backend ${result.backend}: max |browser − trainer| = ${diff}`);
  assert.equal(result.values.length, expected.length);
  assert.ok(diff < 1e-4, `max |browser (${result.backend}) − trainer| = ${diff}`);
  assert.deepEqual(errors, []);
  await page.close();
});

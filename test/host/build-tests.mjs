// Compiles the extension-host suite for both runners (run-code-server.mjs, run-electron.mjs):
//   test/host/index.ts             → out/host-tests/index.js         (the mocha entry, with mocha bundled in)
//   test/host/suite/**/*.test.ts   → out/host-tests/suite/**/*.test.js
// Everything is bundled because the extension host loads these files with a plain require() from wherever VS Code
// runs: mocha 12's package entry is ESM, and the desktop host (Electron) and code-server's (Node 24) resolve it
// differently. `vscode` stays external: the host provides it.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const defaultOutDir = path.join(root, 'out/host-tests');
export const outDir = defaultOutDir;

function listSuite(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/**
 * Returns the absolute path of the compiled index.js, the value for extensionTestsPath. `suite` names the folder
 * under test/host/ ("suite", or "suite-untrusted" for the untrusted-workspace launch); each gets its own out dir.
 */
export async function buildHostTests(suiteFolder = 'suite') {
  const suiteDir = path.join(root, 'test/host', suiteFolder);
  const outDir = suiteFolder === 'suite' ? defaultOutDir : `${defaultOutDir}-${suiteFolder.replace(/^suite-/, '')}`;
  const suite = listSuite(suiteDir);
  if (suite.length === 0) throw new Error(`No *.test.ts files under ${suiteDir}: nothing to run in the extension host.`);
  // A stale compiled test whose source was deleted would still run: start from an empty folder.
  fs.rmSync(outDir, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['vscode', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
    mainFields: ['module', 'main'],
  };
  await esbuild.build({
    ...common,
    entryPoints: [{ in: path.join(root, 'test/host/index.ts'), out: 'index' }],
    outdir: outDir,
    // mocha's parallel mode resolves worker files at run time; it is never used here, and esbuild warns about it.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  await esbuild.build({
    ...common,
    entryPoints: suite.map((f) => ({ in: path.join(suiteDir, f), out: path.join('suite', f.replace(/\.ts$/, '')) })),
    outdir: outDir,
  });
  return path.join(outDir, 'index.js');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await buildHostTests(process.argv[2]));
}

#!/usr/bin/env node
// Runs the extension-host suite (test/host/suite/) in desktop VS Code through @vscode/test-electron, for
// developers whose machine can reach Microsoft's download servers:
//
//   npm run test:host:electron            (builds first)
//   VSCODE_VERSION=1.95.0 node test/host/run-electron.mjs
//
// test-electron downloads VS Code (about 150 MB) into .vscode-test/ on first use. Where there is no internet, as
// on our CI machines, that download cannot work, and Debian/npm ship no VS Code or Electron: CI runs the same
// suite in code-server instead (run-code-server.mjs, part of `npm test`). Here we check that the download host
// is reachable first, so that an offline run fails in a second with a clear message rather than after a timeout
// deep inside the downloader.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHostTests, root } from './build-tests.mjs';

const DOWNLOAD_HOST = 'update.code.visualstudio.com';

try {
  // A real request, not only DNS: some sandboxes resolve names but drop the connection.
  const res = await fetch(`https://${DOWNLOAD_HOST}/api/releases/stable`, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (err) {
  const reason = err.cause?.code ?? err.code ?? err.message;
  console.error(
    `Cannot reach ${DOWNLOAD_HOST} (${reason}): @vscode/test-electron needs it to download VS Code.\n` +
      'Offline, run the same suite in code-server instead: bash scripts/install-code-server.sh && node test/host/run-code-server.mjs',
  );
  process.exit(2);
}

const { runTests } = await import('@vscode/test-electron');
const extensionTestsPath = await buildHostTests();
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-host-ws-'));
const fixture = path.join(root, 'test/fixtures/host-workspace');
if (fs.existsSync(fixture)) fs.cpSync(fixture, workspace, { recursive: true });

try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath,
    extensionTestsEnv: { DCGAN_REPO_ROOT: root, DCGAN_TEST_WORKSPACE: workspace, DCGAN_HOST_GREP: process.env.DCGAN_HOST_GREP ?? '' },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (err) {
  console.error(`Extension-host tests failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}

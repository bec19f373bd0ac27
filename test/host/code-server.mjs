// Starting and stopping a throwaway code-server, and the Chromium that drives it. Shared by the extension-host
// runner (run-code-server.mjs) and the UI walk-through (test/ui/). The recipe and why each flag is there:
// ../shared/ENVIRONMENT.md, "A real VS Code extension host, offline".
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** $CODE_SERVER, or the wrapper made by scripts/install-code-server.sh (same cache override); null when neither exists. */
export function findCodeServer() {
  const cache = process.env.DCGAN_CODE_SERVER_CACHE ?? path.join(root, '.cache/code-server');
  const candidates = [process.env.CODE_SERVER, path.join(cache, 'bin/code-server')];
  return candidates.find((c) => c && fs.existsSync(c)) ?? null;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Copies a fixture folder into a fresh temp dir, so that tests can write to their workspace freely. */
export function makeWorkspace(fixtureDir, tmpRoot) {
  const ws = path.join(tmpRoot, 'workspace');
  if (fs.existsSync(fixtureDir)) fs.cpSync(fixtureDir, ws, { recursive: true });
  else fs.mkdirSync(ws, { recursive: true });
  return ws;
}

async function waitForHttp(url, deadline, exited) {
  let lastErr;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`code-server exited before it answered on ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      lastErr = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} in time: ${lastErr?.message ?? 'no reply'}`);
}

/**
 * Starts code-server on 127.0.0.1 and a free port, with every folder it writes to under tmpRoot.
 * Its output goes to onLog (one line at a time). Returns { port, base, stop() }.
 */
/**
 * `workspaceTrust: true` starts it with workspace trust on and the folder untrusted, without a dialog (the untrusted
 * suite, test/host/suite-untrusted): no --disable-workspace-trust, trust enabled in the user settings, no startup
 * prompt, and a fresh user-data-dir that has trusted nothing.
 */
export async function startCodeServer({ codeServer, tmpRoot, extensionsDir, smokeTestDriver = false, workspaceTrust = false, onLog, env = {} }) {
  const port = await freePort();
  const dirs = {
    userData: path.join(tmpRoot, 'user-data'),
    extensions: extensionsDir ?? path.join(tmpRoot, 'extensions'),
    home: path.join(tmpRoot, 'home'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  // Settings a new user would not have changed, minus the noise that makes screenshots and timings wobble.
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      ...(workspaceTrust ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        'security.workspace.trust.emptyWindow': false,
        'security.workspace.trust.untrustedFiles': 'open',
      } : {}),
    }),
  );
  const configFile = path.join(tmpRoot, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const args = [
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--ignore-last-opened',
  ];
  // Without this flag code-server silently ignores the extensionTestsPath payload.
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');

  const child = spawn(codeServer, args, {
    // detached = setsid: the server and the extension host and agent children it forks share one process group,
    // which stop() kills as a whole; killing only the server left an agent-host child running.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: dirs.home,
      XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
      XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
      XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
      XDG_STATE_HOME: path.join(dirs.home, '.local/state'),
      ...env,
    },
  });
  let exited = false;
  child.on('exit', () => { exited = true; });
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLog?.(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }

  const stop = async () => {
    if (exited) return;
    const waitExit = new Promise((r) => child.once('exit', r));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    await waitExit;
    clearTimeout(timer);
    // The group may outlive its leader for a moment (an agent host finishing): make sure it is gone.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, Date.now() + 60_000, () => exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, base, dirs, stop, child };
}

/** Headless Debian Chromium through playwright-core, with the flags that keep it offline and quiet. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
}

/** The workbench URL that opens `folder` and, with the smoke-test driver on, runs an extension test payload. */
export function workbenchUrl(base, port, folder, payload) {
  const params = new URLSearchParams({ folder });
  if (payload) {
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    params.set('payload', JSON.stringify(Object.entries(payload).map(([k, v]) => [k, remote(v)])));
  }
  return `${base}/?${params}`;
}

export function makeTmpRoot(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

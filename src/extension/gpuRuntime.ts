/**
 * "DCGAN: Install GPU Runtime": installs @tensorflow/tfjs-node-gpu into the extension's global storage, where
 * the worker's selectBackend looks for it (Ctx.backendSearchPaths). It is too large to ship in the VSIX, and its
 * install script downloads libtensorflow (with CUDA) from Google's storage, so it needs the internet.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const GPU_PACKAGE_VERSION = '4.22.0';

export interface InstallResult {
  ok: boolean;
  cancelled?: boolean;
  /** Folder whose node_modules holds the package. */
  dir: string;
  /** What happened, in words the user can act on. */
  message: string;
  exitCode?: number | null;
}

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|network|socket hang up/i;

export async function installGpuRuntime(ctx: Ctx): Promise<InstallResult> {
  const dir = ctx.gpuRuntimeDir;
  await fs.promises.mkdir(dir, { recursive: true });
  const pkgJson = path.join(dir, 'package.json');
  if (!fs.existsSync(pkgJson)) {
    await fs.promises.writeFile(pkgJson, JSON.stringify({ name: 'dcgan-studio-gpu-runtime', private: true, description: 'Installed by DCGAN Studio: Install GPU Runtime' }, null, 2));
  }
  const spec = `${GPU_PACKAGE}@${GPU_PACKAGE_VERSION}`;
  ctx.log.info(`Installing ${spec} into ${dir}`);
  ctx.log.show(true);

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DCGAN: installing ${spec}`, cancellable: true },
    (progress, token) => new Promise<InstallResult>((resolve) => {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const child = spawn(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', spec], { cwd: dir, shell: process.platform === 'win32', env: process.env });
      let output = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        for (const line of text.split(/\r?\n/)) {
          if (!line.trim()) continue;
          ctx.log.info(`[npm] ${line}`);
          progress.report({ message: line.slice(0, 80) });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const cancel = token.onCancellationRequested(() => {
        ctx.log.warn(`Installing ${spec} cancelled`);
        child.kill();
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        cancel.dispose();
        const message = err.code === 'ENOENT'
          ? `Installing ${spec} needs npm, which was not found on the PATH of VS Code's extension host. Install Node.js (with npm), restart VS Code, and run "DCGAN: Install GPU Runtime" again. Training keeps using the embedded wasm backend.`
          : `Could not start npm to install ${spec}: ${err.message}`;
        resolve({ ok: false, dir, message });
      });
      child.on('close', (code) => {
        cancel.dispose();
        if (token.isCancellationRequested) {
          resolve({ ok: false, cancelled: true, dir, exitCode: code, message: `Installing ${spec} was cancelled. Training keeps using the embedded wasm backend.` });
          return;
        }
        if (code === 0 && resolvesFrom(dir)) {
          resolve({ ok: true, dir, exitCode: code, message: `Installed ${spec} into ${dir}. It uses the GPU when CUDA 11.2 and cuDNN 8.1 are installed, and TensorFlow on the CPU otherwise; the next run's dashboard and log say which ran.` });
          return;
        }
        const cause = NETWORK_ERROR.test(output)
          ? `the network could not be reached (its install script downloads libtensorflow with CUDA from storage.googleapis.com, and npm needs the registry). Connect to the internet, or set HTTPS_PROXY for VS Code, and run "DCGAN: Install GPU Runtime" again`
          : `see the "DCGAN Studio" output for npm's log. The GPU build needs Linux or Windows on x64, CUDA 11.2 and cuDNN 8.1`;
        resolve({ ok: false, dir, exitCode: code, message: `Installing ${spec} failed (npm exited with code ${code}): ${cause}. Training keeps using the embedded wasm backend.` });
      });
    }),
  );
}

function resolvesFrom(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'noop.js')).resolve(GPU_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

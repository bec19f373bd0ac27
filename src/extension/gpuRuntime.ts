/**
 * "DCGAN: Install GPU Runtime": installs a GPU runtime into the extension's global storage, where the worker's
 * selectBackend looks for it (Ctx.backendSearchPaths). Two are offered, WebGPU first:
 * - webgpu: npm `webgpu` (Dawn's Node binding: Vulkan on Linux, Metal on macOS, D3D12 on Windows), which the
 *   bundled tfjs-backend-webgpu runs on. Any recent GPU and driver; no CUDA. The package carries every
 *   platform's binary (132 MB); the other platforms' folders are removed after the install (21 MB remain on
 *   linux-x64).
 * - cuda: @tensorflow/tfjs-node-gpu. NVIDIA only, and only with CUDA 11.2 + cuDNN 8.1; its install script
 *   downloads libtensorflow from Google's storage.
 * Neither ships in the VSIX: it stays one package for every platform, under 40 MB (README, "GPU training").
 * What ships is each one's lockfile (media/gpu-runtime/<kind>/): `npm ci` installs exactly those versions, each
 * checked against its sha512 before it is unpacked or its install script runs, into a folder of its own
 * (<global storage>/gpu-runtime/<kind>). What still floats: what tfjs-node-gpu's install script downloads
 * (libtensorflow from Google's storage, by version, without a checksum).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../runtime/outputFiles';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
export const GPU_PACKAGE_VERSION = '4.22.0';
export const WEBGPU_PACKAGE = 'webgpu';
export const WEBGPU_PACKAGE_VERSION = '0.6.2';

export type GpuRuntimeKind = 'webgpu' | 'cuda';
export const GPU_RUNTIME_KINDS: readonly GpuRuntimeKind[] = ['webgpu', 'cuda'];

/** Each runtime in a folder of its own under the global storage's gpu-runtime/ (npm ci empties the folder it installs into). */
export function gpuRuntimeDirFor(root: string, kind: GpuRuntimeKind): string {
  return path.join(root, kind);
}

interface Runtime {
  pkg: string;
  version: string;
  installed: string;
  offline: string;
  otherwise: string;
}

const RUNTIMES: Record<GpuRuntimeKind, Runtime> = {
  webgpu: {
    pkg: WEBGPU_PACKAGE,
    version: WEBGPU_PACKAGE_VERSION,
    installed: 'With runtime.backend "auto", training uses it when Dawn finds a GPU adapter (Vulkan, Metal or D3D12); the next run\'s dashboard names the adapter.',
    offline: 'npm needs the registry to download it',
    otherwise: 'Dawn ships binaries for linux-x64, linux-arm64, macOS and Windows x64/arm64',
  },
  cuda: {
    pkg: GPU_PACKAGE,
    version: GPU_PACKAGE_VERSION,
    installed: 'It uses the GPU when CUDA 11.2 and cuDNN 8.1 are installed, and TensorFlow on the CPU otherwise; the next run\'s dashboard and log say which ran.',
    offline: 'its install script downloads libtensorflow with CUDA from storage.googleapis.com, and npm needs the registry',
    otherwise: 'The GPU build needs Linux or Windows on x64, CUDA 11.2 and cuDNN 8.1',
  },
};

/** Asks which runtime to install: WebGPU first (any recent GPU), CUDA second (NVIDIA with CUDA 11.2 only). */
export async function pickGpuRuntime(): Promise<GpuRuntimeKind | undefined> {
  const items: (vscode.QuickPickItem & { kind_: GpuRuntimeKind })[] = [
    { kind_: 'webgpu', label: 'WebGPU (Dawn)', description: `${WEBGPU_PACKAGE}@${WEBGPU_PACKAGE_VERSION}`, detail: 'Any recent GPU: Vulkan on Linux (NVIDIA, AMD, Intel drivers), Metal on macOS, D3D12 on Windows. No CUDA needed.' },
    { kind_: 'cuda', label: 'CUDA (TensorFlow)', description: `${GPU_PACKAGE}@${GPU_PACKAGE_VERSION}`, detail: 'NVIDIA GPUs with CUDA 11.2 and cuDNN 8.1 installed (CUDA 12 does not work). Linux/Windows x64.' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'DCGAN: Install GPU Runtime', placeHolder: 'Which GPU runtime?' });
  return picked?.kind_;
}

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

/** What an install needs of the extension (ctx.ts's Ctx has it): narrow, so that this module does not import ctx. */
export interface InstallHost {
  readonly gpuRuntimeDir: string;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
}

export async function installGpuRuntime(ctx: InstallHost, kind: GpuRuntimeKind = 'cuda'): Promise<InstallResult> {
  const runtime = RUNTIMES[kind];
  const dir = gpuRuntimeDirFor(ctx.gpuRuntimeDir, kind);
  await fs.promises.mkdir(ctx.gpuRuntimeDir, { recursive: true });
  // The pinned package.json and package-lock.json this extension ships, copied in; npm ci installs what they say.
  const pinned = path.join(ctx.extensionUri.fsPath, 'media', 'gpu-runtime', kind);
  for (const name of ['package.json', 'package-lock.json']) writeFileAtomic(ctx.gpuRuntimeDir, path.join(dir, name), fs.readFileSync(path.join(pinned, name)));
  const spec = `${runtime.pkg}@${runtime.version}`;
  ctx.log.info(`Installing ${spec} into ${dir}`);
  ctx.log.show(true);

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DCGAN: installing ${spec}`, cancellable: true },
    (progress, token) => new Promise<InstallResult>((resolve) => {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const child = spawn(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, shell: process.platform === 'win32', env: process.env });
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
        if (code === 0 && resolvesFrom(dir, runtime.pkg)) {
          if (kind === 'webgpu') pruneOtherPlatforms(dir, ctx);
          resolve({ ok: true, dir, exitCode: code, message: `Installed ${spec} into ${dir}. ${runtime.installed}` });
          return;
        }
        const cause = NETWORK_ERROR.test(output)
          ? `the network could not be reached (${runtime.offline}). Connect to the internet, or set HTTPS_PROXY for VS Code, and run "DCGAN: Install GPU Runtime" again`
          : `see the "DCGAN Studio" output for npm's log. ${runtime.otherwise}`;
        resolve({ ok: false, dir, exitCode: code, message: `Installing ${spec} failed (npm exited with code ${code}): ${cause}. Training keeps using the embedded wasm backend.` });
      });
    }),
  );
}

/** The webgpu package holds Dawn for every platform; keep this one's (dist/<platform>-<arch>). */
function pruneOtherPlatforms(dir: string, ctx: InstallHost): void {
  const dist = path.join(dir, 'node_modules', WEBGPU_PACKAGE, 'dist');
  const keep = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
  try {
    for (const entry of fs.readdirSync(dist)) if (entry !== keep) fs.rmSync(path.join(dist, entry), { recursive: true, force: true });
  } catch (err) {
    ctx.log.warn(`Could not remove other platforms' Dawn binaries from ${dist}: ${(err as Error).message}`);
  }
}

function resolvesFrom(dir: string, pkg: string): boolean {
  try {
    createRequire(path.join(dir, 'noop.js')).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

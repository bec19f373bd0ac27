/**
 * Before @tensorflow/tfjs-node-gpu loads: can the dynamic loader find the CUDA 11 and cuDNN 8 libraries it needs?
 *
 * tfjs-node-gpu 4.22 ships libtensorflow 2.9.1, built against CUDA 11.2 and cuDNN 8.1. TensorFlow dlopen()s each
 * library by its exact name (stream_executor's dso_loader: libcudart.so.11.0, libcublas.so.11, ...), and when one
 * is missing it logs a warning and silently runs on the CPU (tfjs#8509). CUDA 12 or cuDNN 9 have other names and do
 * not count. This module looks for those names the way the loader does, so that the fallback is stated, with the
 * missing names and what to do.
 *
 * It checks presence only: a file with the right name in a folder the loader searches counts as found. Whether it
 * is a working library of the right architecture is known only when TensorFlow opens it (the backend then reports
 * whether it found a GPU). What is not modelled: the RPATH/RUNPATH inside libtensorflow.so, and Windows' own
 * folders other than System32 (the application's folder, the current folder).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CudaLibrary {
  /** The name TensorFlow asks the loader for. */
  file: string;
  /** What provides it, in the user's words. */
  from: string;
}

const CUDA = 'CUDA 11.2';
const CUDNN = 'cuDNN 8.1';
const DRIVER = 'the NVIDIA driver';

/** libtensorflow 2.9.1's names on Linux: lib<name>.so.<version>, versions from its CUDA 11.2 / cuDNN 8 build. */
export const LINUX_CUDA_LIBRARIES: readonly CudaLibrary[] = [
  { file: 'libcuda.so.1', from: DRIVER },
  { file: 'libcudart.so.11.0', from: CUDA },
  { file: 'libcublas.so.11', from: CUDA },
  { file: 'libcublasLt.so.11', from: CUDA },
  { file: 'libcufft.so.10', from: CUDA },
  { file: 'libcurand.so.10', from: CUDA },
  { file: 'libcusolver.so.11', from: CUDA },
  { file: 'libcusparse.so.11', from: CUDA },
  { file: 'libcudnn.so.8', from: CUDNN },
];

/** The same on Windows: <name>64_<version>.dll, and the driver's nvcuda.dll. */
export const WINDOWS_CUDA_LIBRARIES: readonly CudaLibrary[] = [
  { file: 'nvcuda.dll', from: DRIVER },
  { file: 'cudart64_110.dll', from: CUDA },
  { file: 'cublas64_11.dll', from: CUDA },
  { file: 'cublasLt64_11.dll', from: CUDA },
  { file: 'cufft64_10.dll', from: CUDA },
  { file: 'curand64_10.dll', from: CUDA },
  { file: 'cusolver64_11.dll', from: CUDA },
  { file: 'cusparse64_11.dll', from: CUDA },
  { file: 'cudnn64_8.dll', from: CUDNN },
];

export interface LoaderSetup {
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  /** name → path of the loader's cache (`ldconfig -p`); null when it could not be read. Linux only. */
  readLdCache: () => Map<string, string> | null;
  /** The folders the loader searches last. */
  defaultDirs: string[];
}

export interface CudaCheck {
  /** False where tfjs-node-gpu has no CUDA build at all (macOS and others). */
  supported: boolean;
  platform: NodeJS.Platform;
  found: { file: string; path: string }[];
  missing: CudaLibrary[];
  /** Where it looked, in order, for the reason text. */
  searched: string[];
}

export function checkCudaLibraries(setup: Partial<LoaderSetup> = {}): CudaCheck {
  const platform = setup.platform ?? process.platform;
  const env = setup.env ?? process.env;
  if (platform !== 'linux' && platform !== 'win32') return { supported: false, platform, found: [], missing: [], searched: [] };

  const libraries = platform === 'win32' ? WINDOWS_CUDA_LIBRARIES : LINUX_CUDA_LIBRARIES;
  const delimiter = platform === 'win32' ? ';' : ':';
  // Linux (ld.so): LD_LIBRARY_PATH, then /etc/ld.so.cache, then the default folders. Windows: System32, then PATH.
  const envDirs = splitPath(platform === 'win32' ? env.PATH ?? env.Path : env.LD_LIBRARY_PATH, delimiter);
  const defaultDirs = setup.defaultDirs ?? defaultLoaderDirs(platform, setup.arch ?? process.arch, env);
  const cache = platform === 'linux' ? (setup.readLdCache ?? (() => readLdCache(setup.arch ?? process.arch)))() : null;

  const found: CudaCheck['found'] = [];
  const missing: CudaLibrary[] = [];
  for (const lib of libraries) {
    const hit = platform === 'win32'
      ? findIn([...defaultDirs, ...envDirs], lib.file)
      : findIn(envDirs, lib.file) ?? cache?.get(lib.file) ?? findIn(defaultDirs, lib.file);
    if (hit) found.push({ file: lib.file, path: hit });
    else missing.push(lib);
  }
  const searched = platform === 'win32'
    ? [...defaultDirs, ...(envDirs.length ? ['PATH'] : [])]
    : [...(envDirs.length ? ['LD_LIBRARY_PATH'] : []), cache ? 'the ldconfig cache' : 'the ldconfig cache (ldconfig -p did not run)', ...defaultDirs];
  return { supported: true, platform, found, missing, searched };
}

/**
 * Why tfjs-node-gpu runs on the CPU, for the backend reason: which libraries are missing and what to do, or, when
 * the loader has them all, that TensorFlow itself found no usable GPU.
 */
export function cpuFallbackReason(check: CudaCheck | undefined): string {
  const needs = `tfjs-node-gpu 4.22 (libtensorflow 2.9.1) needs ${CUDA} and ${CUDNN}`;
  if (!check) return `TensorFlow found no usable CUDA GPU and runs on the CPU (${needs})`;
  if (!check.supported) return `tfjs-node-gpu has no CUDA build for ${check.platform === 'darwin' ? 'macOS' : check.platform}, so TensorFlow runs on the CPU`;
  if (check.missing.length === 0) {
    return `the loader finds every CUDA 11 and cuDNN 8 library by name, but TensorFlow found no usable CUDA GPU, so it runs on the CPU: check that nvidia-smi sees the GPU and that the libraries are ${CUDA} and ${CUDNN} builds (${needs})`;
  }
  const names = check.missing.map((l) => l.file).join(', ');
  const toolkits = [...new Set(check.missing.map((l) => l.from))].filter((f) => f !== DRIVER);
  const driver = check.missing.some((l) => l.from === DRIVER);
  const where = check.platform === 'win32' ? 'to PATH' : 'to LD_LIBRARY_PATH (or list it in /etc/ld.so.conf.d and run ldconfig)';
  const todo = [
    ...(driver ? ['install the NVIDIA driver'] : []),
    ...(toolkits.length ? [`install ${toolkits.join(' and ')} (CUDA 12 and cuDNN 9 have other library names and do not work) and add their library folder ${where}`] : []),
  ].join('; ');
  return `TensorFlow runs on the CPU: the dynamic loader finds no ${names} (looked in ${check.searched.join(', ')}). ${needs}: ${todo}`;
}

function findIn(dirs: string[], file: string): string | undefined {
  for (const dir of dirs) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function splitPath(value: string | undefined, delimiter: string): string[] {
  // An empty entry means the current folder to ld.so; TensorFlow users do not rely on that, and it would make the
  // answer depend on where the process started.
  return (value ?? '').split(delimiter).map((d) => d.trim()).filter((d) => d && path.isAbsolute(d));
}

function defaultLoaderDirs(platform: NodeJS.Platform, arch: string, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'win32') return [path.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32')];
  const multiarch = arch === 'x64' ? 'x86_64-linux-gnu' : arch === 'arm64' ? 'aarch64-linux-gnu' : undefined;
  const dirs = multiarch ? [`/lib/${multiarch}`, `/usr/lib/${multiarch}`] : [];
  return [...dirs, '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
}

/** The flag `ldconfig -p` prints for a 64-bit library of this architecture; a 32-bit one would not load. */
const LD_CACHE_ARCH: Record<string, string> = { x64: 'x86-64', arm64: 'AArch64' };

/** Parses `ldconfig -p`: lines like "\tlibcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.11.0". */
export function parseLdCache(output: string, arch: string): Map<string, string> {
  const want = LD_CACHE_ARCH[arch];
  const entries = new Map<string, string>();
  for (const line of output.split('\n')) {
    // The parentheses may also hold ", OS ABI: Linux 3.2.0" or ", hwcap: 0x...".
    const m = /^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const [, name, flags, file] = m;
    if (want && !flags.split(',').map((f) => f.trim()).includes(want)) continue;
    if (!entries.has(name)) entries.set(name, file);
  }
  return entries;
}

function readLdCache(arch: string): Map<string, string> | null {
  // /sbin is not on a normal user's PATH on Debian; try the usual places.
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      const out = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });
      return parseLdCache(out, arch);
    } catch {
      /* try the next */
    }
  }
  return null;
}

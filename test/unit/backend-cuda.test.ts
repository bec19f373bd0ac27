// The check that runs before tfjs-node-gpu loads (src/runtime/backend/cuda.ts): which of the CUDA 11 / cuDNN 8
// libraries libtensorflow 2.9.1 dlopen()s can the dynamic loader find?
//
// What these tests prove, and what not: no CUDA exists here, so the "missing" cases use this machine's real loader
// cache (`ldconfig -p`) and default folders, plus an empty LD_LIBRARY_PATH folder. The "found" cases put empty files
// with the right names in a folder: the check only looks for names where the loader looks, so that passes, and it
// says nothing about whether real CUDA libraries would load (TensorFlow reports that, when it opens them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCudaLibraries, cpuFallbackReason, LINUX_CUDA_LIBRARIES, parseLdCache, WINDOWS_CUDA_LIBRARIES } from '../../src/runtime/backend/cuda';

const TOOLKIT = ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11', 'libcudnn.so.8'];

function tmpDir(files: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-cuda-'));
  for (const f of files) fs.writeFileSync(path.join(dir, f), '');
  return dir;
}

test('the names are those libtensorflow 2.9.1 (CUDA 11.2, cuDNN 8) asks the loader for, plus the driver', () => {
  assert.deepEqual(LINUX_CUDA_LIBRARIES.map((l) => l.file), ['libcuda.so.1', ...TOOLKIT]);
  assert.deepEqual(WINDOWS_CUDA_LIBRARIES.map((l) => l.file), ['nvcuda.dll', 'cudart64_110.dll', 'cublas64_11.dll', 'cublasLt64_11.dll', 'cufft64_10.dll', 'curand64_10.dll', 'cusolver64_11.dll', 'cusparse64_11.dll', 'cudnn64_8.dll']);
});

test('this machine (no CUDA): every toolkit library is missing, and the reason names them and what to do', (t) => {
  if (process.platform !== 'linux') return t.skip('the Linux loader rules run on Linux');
  const empty = tmpDir();
  try {
    // The real loader cache and default folders of this machine; only LD_LIBRARY_PATH is set, to an empty folder.
    const check = checkCudaLibraries({ env: { LD_LIBRARY_PATH: empty } });
    assert.equal(check.supported, true);
    const missing = check.missing.map((l) => l.file);
    for (const f of TOOLKIT) assert.ok(missing.includes(f), `${f} was found at ${check.found.find((x) => x.file === f)?.path}: does this machine have CUDA 11?`);
    assert.deepEqual(check.searched.slice(0, 2), ['LD_LIBRARY_PATH', 'the ldconfig cache']);
    const reason = cpuFallbackReason(check);
    assert.match(reason, /runs on the CPU/);
    assert.match(reason, /libcudart\.so\.11\.0, .*libcudnn\.so\.8/);
    assert.match(reason, /CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(reason, /LD_LIBRARY_PATH/);
    assert.match(reason, /CUDA 12 and cuDNN 9 have other library names/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('files with the right names in LD_LIBRARY_PATH count as found (presence only: they are empty files)', () => {
  const fake = tmpDir(['libcuda.so.1', ...TOOLKIT]);
  const empty = tmpDir();
  try {
    // An empty folder first, then the one with the files, as ld.so walks LD_LIBRARY_PATH in order.
    const check = checkCudaLibraries({ platform: 'linux', env: { LD_LIBRARY_PATH: `${empty}:${fake}` }, readLdCache: () => new Map(), defaultDirs: [] });
    assert.deepEqual(check.missing, []);
    assert.deepEqual(check.found.map((f) => f.path), ['libcuda.so.1', ...TOOLKIT].map((f) => path.join(fake, f)));
    assert.match(cpuFallbackReason(check), /finds every CUDA 11 and cuDNN 8 library by name, but TensorFlow found no usable CUDA GPU/);
  } finally {
    fs.rmSync(fake, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('CUDA 12 / cuDNN 9 files do not count: only the exact names TensorFlow asks for', () => {
  const cuda12 = tmpDir(['libcuda.so.1', 'libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcufft.so.11', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.12', 'libcudnn.so.9']);
  try {
    const check = checkCudaLibraries({ platform: 'linux', env: {}, readLdCache: () => new Map(), defaultDirs: [cuda12] });
    assert.deepEqual(check.missing.map((l) => l.file), ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcusparse.so.11', 'libcudnn.so.8']);
    const reason = cpuFallbackReason(check);
    assert.match(reason, /install CUDA 11\.2 and cuDNN 8\.1/);
    assert.doesNotMatch(reason, /NVIDIA driver/, 'libcuda.so.1 is there, so the driver is not what is missing');
  } finally {
    fs.rmSync(cuda12, { recursive: true, force: true });
  }
});

test('the loader cache (ldconfig -p) is read for the 64-bit entries of this architecture only', () => {
  const output = [
    '3 libs found in cache `/etc/ld.so.cache\'',
    '\tlibcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda-11.2/lib64/libcudart.so.11.0',
    '\tlibcudnn.so.8 (libc6) => /usr/lib/i386-linux-gnu/libcudnn.so.8',
    '\tlibcuda.so.1 (libc6,x86-64, OS ABI: Linux 3.2.0) => /usr/lib/x86_64-linux-gnu/libcuda.so.1',
    'Cache generated by: ldconfig (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36',
  ].join('\n');
  const cache = parseLdCache(output, 'x64');
  assert.deepEqual([...cache.entries()], [
    ['libcudart.so.11.0', '/usr/local/cuda-11.2/lib64/libcudart.so.11.0'],
    ['libcuda.so.1', '/usr/lib/x86_64-linux-gnu/libcuda.so.1'],
  ]);
  const check = checkCudaLibraries({ platform: 'linux', arch: 'x64', env: {}, readLdCache: () => cache, defaultDirs: [] });
  assert.deepEqual(check.found.map((f) => f.file), ['libcuda.so.1', 'libcudart.so.11.0']);
  assert.ok(check.missing.some((l) => l.file === 'libcudnn.so.8'), 'a 32-bit libcudnn does not load into a 64-bit process');
});

test('the parser reads this machine\'s real ldconfig -p output', (t) => {
  if (process.platform !== 'linux') return t.skip('Linux only');
  const check = checkCudaLibraries({ env: {} });
  assert.ok(check.searched.includes('the ldconfig cache'), `ldconfig -p did not run: searched ${check.searched.join(', ')}`);
  // libc is in every glibc system's cache; if the parser dropped every line this would fail.
  const libc = parseLdCache(require('node:child_process').execFileSync(fs.existsSync('/usr/sbin/ldconfig') ? '/usr/sbin/ldconfig' : '/sbin/ldconfig', ['-p'], { encoding: 'utf8' }), process.arch);
  assert.ok(libc.has('libc.so.6'), 'libc.so.6 not in the parsed cache');
});

test('Windows: PATH folders with the .dll names; the driver is looked for in System32', () => {
  const system32 = tmpDir(['nvcuda.dll']);
  const cudaBin = tmpDir(['cudart64_110.dll', 'cublas64_11.dll', 'cublasLt64_11.dll', 'cufft64_10.dll', 'curand64_10.dll', 'cusolver64_11.dll', 'cusparse64_11.dll']);
  try {
    const check = checkCudaLibraries({ platform: 'win32', env: { PATH: `${cudaBin};C:\\nowhere` }, defaultDirs: [system32] });
    assert.deepEqual(check.missing.map((l) => l.file), ['cudnn64_8.dll']);
    assert.equal(check.found[0].path, path.join(system32, 'nvcuda.dll'));
    const reason = cpuFallbackReason(check);
    assert.match(reason, /cudnn64_8\.dll/);
    assert.match(reason, /install cuDNN 8\.1 .*to PATH/);
  } finally {
    fs.rmSync(system32, { recursive: true, force: true });
    fs.rmSync(cudaBin, { recursive: true, force: true });
  }
});

test('no NVIDIA driver: the reason says to install it', () => {
  const toolkit = tmpDir(TOOLKIT);
  try {
    const check = checkCudaLibraries({ platform: 'linux', env: { LD_LIBRARY_PATH: toolkit }, readLdCache: () => new Map(), defaultDirs: [] });
    assert.deepEqual(check.missing.map((l) => l.file), ['libcuda.so.1']);
    assert.match(cpuFallbackReason(check), /finds no libcuda\.so\.1 .*install the NVIDIA driver/);
  } finally {
    fs.rmSync(toolkit, { recursive: true, force: true });
  }
});

test('macOS has no CUDA: the check says so without looking', () => {
  const check = checkCudaLibraries({ platform: 'darwin', env: {} });
  assert.equal(check.supported, false);
  assert.match(cpuFallbackReason(check), /no CUDA build for macOS/);
});

/**
 * Multithreaded wasm in Node.
 *
 * tfjs-backend-wasm turns threads off in Node (tfjs#3830): its threaded build starts emscripten's pthread
 * workers from blob: URLs, which worker_threads refuses (ERR_WORKER_PATH). The emscripten worker script itself
 * supports Node; only the two blobs are in the way: the worker script (handed out by locateFile as an object
 * URL) and the main script (sent to each worker as `urlOrBlob`). This shim writes both to files as tfjs creates
 * them and hands out the file paths instead. Measured on 2 cores: 0.46 → 0.70 it/s for the tutorial model.
 *
 * The main script is served from tfjs-backend-wasm-threaded-simd.js, copied next to the .wasm files at build time.
 * It is opt-out (runtime.threads: 1) and only touches Blob, URL.createObjectURL and Worker#postMessage for
 * the duration of the backend's initialisation, plus the 'load' message of pthread workers afterwards.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
// The mutable CommonJS module object, which the emscripten glue's require('os') returns too.
import osModule from 'node:os';
import * as path from 'node:path';
import * as workerThreads from 'node:worker_threads';

const blobFiles = new WeakMap<Blob, string>();
const poolWorkers = new Set<workerThreads.Worker>();
let installed = false;

function fileFor(content: string): string {
  const hash = crypto.createHash('sha1').update(content).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'dcgan-studio-wasm');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${hash}.js`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
  return file;
}

/**
 * Runs `init` (the wasm backend's initialisation) with JavaScript blobs backed by files, so that emscripten's
 * pthread workers can start under worker_threads.
 */
export async function withFileBackedBlobs<T>(mainScriptFile: string, threads: number, init: () => Promise<T>): Promise<T> {
  const OriginalBlob = globalThis.Blob;
  // The backend caps its thread pool at half the logical cores (1 on a 2-core machine), as browsers share
  // cores with the page. Training owns its process, so present enough cores for the requested count.
  const originalCpus = osModule.cpus;
  const cores = originalCpus();
  if (threads > cores.length / 2) osModule.cpus = () => Array.from({ length: threads * 2 }, (_, i) => cores[i % cores.length]);
  const originalCreateObjectURL = URL.createObjectURL;
  class FileBackedBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.length === 1 && typeof parts[0] === 'string' && /javascript/.test(options?.type ?? '')) {
        // tfjs builds the main script from the factory's toString(), which in its rollup bundle refers to
        // bundle-level names (require$$0 for fs, …) that do not exist in a worker. The shipped emscripten
        // glue is the same factory, self-contained.
        const isMainScript = parts[0].startsWith('var WasmBackendModuleThreadedSimd');
        blobFiles.set(this, isMainScript ? mainScriptFile : fileFor(parts[0]));
      }
    }
  }
  globalThis.Blob = FileBackedBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob) => blobFiles.get(obj) ?? originalCreateObjectURL(obj);
  if (!installed) {
    installed = true;
    // Workers receive the main script as `urlOrBlob` in their 'load' message, also for threads started later.
    const proto = workerThreads.Worker.prototype as unknown as { postMessage: (msg: unknown, transfer?: unknown) => void };
    const originalPost = proto.postMessage;
    proto.postMessage = function (this: workerThreads.Worker, msg: unknown, transfer?: unknown) {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && m.urlOrBlob instanceof OriginalBlob && blobFiles.has(m.urlOrBlob)) {
        msg = { ...m, urlOrBlob: blobFiles.get(m.urlOrBlob) };
        poolWorkers.add(this);
      }
      return originalPost.call(this, msg, transfer);
    };
  }
  try {
    const result = await init();
    // The pool's idle threads must not keep the process alive after training (a test file, a CLI run). They
    // are referenced until here because their 'loaded' replies arrive through the event loop.
    for (const w of poolWorkers) w.unref();
    return result;
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    osModule.cpus = originalCpus;
  }
}

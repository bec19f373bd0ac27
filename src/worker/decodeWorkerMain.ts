/**
 * One decode worker (dist/decode-worker.js), started by the decode pool (src/runtime/data/decodePool.ts) inside the
 * training or lint worker. Image files are hostile input: whatever one makes a decoder do happens on this thread,
 * under its own heap limit, and the pool replaces the thread if it dies. It answers each job with the decoded
 * samples, their buffer transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { runJob, type DecodeJob, type HeaderJob } from '../runtime/data/decodePool';

if (!parentPort) throw new Error('decodeWorkerMain.ts runs inside a worker thread (dist/decode-worker.js), not as a script.');
const port = parentPort;

port.on('message', (job: DecodeJob | HeaderJob) => {
  const result = runJob(job);
  if (Array.isArray(result)) port.postMessage(result);
  else port.postMessage(result, [result.pixels.buffer as ArrayBuffer]);
});

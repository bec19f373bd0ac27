/**
 * The dataset lint's own worker thread (dist/lint-worker.js), started per lint by lintWorkerClient.ts with
 * resourceLimits. Datasets are hostile input: whatever a file makes the lint do happens here, where running
 * out of heap ends this thread and not the extension host or the CLI. It answers one `lint` or `lintDataset`
 * request with a `lintResult` and exits.
 */
import { parentPort } from 'node:worker_threads';
import { isHostToWorker, type LintResult, type WorkerToHost } from '../protocol';
import { parseConfig } from '../runtime/config/load';
import { checkConfigData, checkDatasetPath, type DataCheck } from '../runtime/data/lint';

if (!parentPort) throw new Error('lintWorkerMain.ts runs inside a worker thread (dist/lint-worker.js), not as a script.');
const port = parentPort;

function post(msg: WorkerToHost): void {
  port.postMessage(msg);
}

function result(check: DataCheck): LintResult {
  return { problems: check.problems, stats: check.stats, scaling: check.scaling };
}

port.once('message', (raw: unknown) => {
  if (!isHostToWorker(raw) || (raw.type !== 'lint' && raw.type !== 'lintDataset')) {
    post({ type: 'log', level: 'warn', message: `The lint worker ignored a message it does not understand: ${JSON.stringify(raw)?.slice(0, 200)}` });
    port.close();
    return;
  }
  const msg = raw;
  // A full pass over an image folder decodes every image: say how far it is, every 5%.
  let shown = -1;
  const onProgress = msg.full
    ? (f: number) => {
        const pct = Math.floor(f * 20) * 5;
        if (pct > shown) post({ type: 'log', level: 'info', message: `lint --full: ${(shown = pct)}% decoded` });
      }
    : undefined;
  const options = { full: msg.full, onProgress };
  void (async () => {
    try {
      if (msg.type === 'lintDataset') {
        post({ type: 'lintResult', id: msg.id, result: result(await checkDatasetPath(msg.datasetPath, options)) });
        return;
      }
      const loaded = parseConfig(msg.configText, msg.configFile);
      if (!loaded.config) {
        post({ type: 'lintResult', id: msg.id, result: { problems: loaded.problems } });
        return;
      }
      post({ type: 'lintResult', id: msg.id, result: result(await checkConfigData(loaded.config, loaded.baseDir, msg.configFile, options)) });
    } catch (err) {
      post({ type: 'lintResult', id: msg.id, error: err instanceof Error ? err.message : String(err) });
    } finally {
      port.close();
    }
  })();
});

/**
 * The one training entry. `dcgan-studio train` and the extension's training worker both hand it a request and
 * only render what comes back: the config (a file, an editor's unsaved text, or the defaults) is loaded, the
 * run's overrides are applied and the whole is validated again, the backend is chosen once, the data is checked
 * before step 1, the trainer runs, and the backend is released. What differs between the two callers is how they
 * show it (progress lines or protocol messages), never what runs.
 */
import { applyOverrides, defaultConfig, loadConfigFile, parseConfig, type ConfigOverrides, type LoadedConfig } from '../config/load';
import type { DcganConfig } from '../config/types';
import { selectBackend, type BackendHandle } from '../backend/select';
import { checkConfigData, type DataCheck } from '../data/lint';
import { decodeWorkerCount } from '../data/decodePool';
import type { EndEvent, TrainEvent } from '../events';
import { hasErrors, type Problem } from '../problem';
import { train } from './trainer';

export interface TrainRequest {
  /** The config file. Absent: the schema's defaults (builtin:mnist), relative paths against `baseDir`. */
  configFile?: string;
  /** The file's text when it differs from disk (an editor's unsaved edits); validated as that file. */
  configText?: string;
  /** Where relative paths resolve when there is no config file (default: the current folder). */
  baseDir?: string;
  /** Keys set for this run, validated again with the whole config. */
  overrides?: ConfigOverrides;
  /** How each override was given, for messages: {"training.steps": "--steps 0"}. */
  overrideLabels?: Record<string, string>;
  /** The run folder to write (or resume). Default: a new one under output.dir (train/runOutput.ts names it). */
  runDir?: string;
  /** Folders the user chose on the command line (--out, --run): the run may be written there as well as under the config's folder. */
  outputRoots?: string[];
  /** Continue from the newest checkpoint of runDir, or of the newest run under output.dir. */
  resume?: boolean;
  /** Train even when the data check finds errors. */
  force?: boolean;
  /** Folders whose node_modules may hold a GPU runtime (the extension's global storage). */
  searchPaths?: string[];
  /** Folder holding the wasm backend's files (the extension's dist/). */
  wasmDir?: string;
  /** Include grid pixels in samples events (live views). */
  emitGridPixels?: boolean;
  /** Aborting stops after the current step and writes a checkpoint (or stops the data check). */
  signal?: AbortSignal;
  onEvent: (event: TrainEvent) => void;
  /** The config is final and the backend chosen; called before the data check. */
  onBackend?: (backend: BackendHandle, config: DcganConfig) => void;
  /** The data check's result, before the trainer decides whether to train on it. */
  onDataCheck?: (check: DataCheck, config: DcganConfig, baseDir: string) => void;
}

export type TrainOutcome =
  /** The config or an override was refused: nothing was selected, read or written. */
  | { kind: 'invalid'; problems: Problem[]; file?: string }
  /** Stopped while the data was being checked: nothing was trained. */
  | { kind: 'stopped-before-start' }
  /** The trainer ran; `started` is false when it ended before its start event (data errors, unusable data). */
  | { kind: 'ended'; end: EndEvent; started: boolean };

/** Throws BackendUnavailableError when the configured backend cannot be had (the caller says so, as it likes). */
export async function runTrainingRequest(req: TrainRequest): Promise<TrainOutcome> {
  const loaded = loadRequestConfig(req);
  if (!loaded.config || hasErrors(loaded.problems)) return { kind: 'invalid', problems: loaded.problems, file: loaded.file };
  const withOverrides = applyOverrides(loaded as LoadedConfig & { config: DcganConfig }, req.overrides, req.overrideLabels);
  if (!withOverrides.config) return { kind: 'invalid', problems: withOverrides.problems, file: loaded.file };
  const config = withOverrides.config;
  const { baseDir, file: configFile } = loaded;

  const backend = await selectBackend(config.runtime.backend, { searchPaths: req.searchPaths, wasmDir: req.wasmDir, threads: config.runtime.threads });
  try {
    req.onBackend?.(backend, config);
    // Checked before step 1: a [0,255]-into-tanh dataset fails silently for hundreds of steps otherwise. The check
    // stays open and goes to the trainer, which reuses the dataset, emits its problems and refuses errors unless forced.
    let check: DataCheck;
    try {
      // An image folder decodes on the cores training leaves over, and its first epoch writes the prepared cache.
      const trainingThreads = backend.info.gpu ? 1 : (backend.info.threads ?? 1);
      check = await checkConfigData(config, baseDir, configFile, { signal: req.signal, keepOpen: true, writeCache: true, decodeWorkers: decodeWorkerCount(trainingThreads) });
    } catch (err) {
      if (req.signal?.aborted) return { kind: 'stopped-before-start' };
      throw err;
    }
    req.onDataCheck?.(check, config, baseDir);
    let started = false;
    const end = await train({
      config, baseDir, configFile, backend, dataCheck: check,
      resume: req.resume, runDir: req.runDir, outputRoots: req.outputRoots, force: req.force, signal: req.signal, emitGridPixels: req.emitGridPixels,
      onEvent: (e) => {
        if (e.event === 'start') started = true;
        req.onEvent(e);
      },
    });
    return { kind: 'ended', end, started };
  } finally {
    backend.release?.();
  }
}

function loadRequestConfig(req: TrainRequest): LoadedConfig {
  if (req.configText !== undefined) return parseConfig(req.configText, req.configFile);
  if (req.configFile) return loadConfigFile(req.configFile);
  return { config: defaultConfig(), problems: [], baseDir: req.baseDir ?? process.cwd() };
}

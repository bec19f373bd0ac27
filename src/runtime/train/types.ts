import type { DcganConfig } from '../config/types';
import type { BackendHandle } from '../backend/select';
import type { TrainEvent, EndEvent } from '../events';
import type { DataCheck } from '../data/lint';

export interface TrainOptions {
  config: DcganConfig;
  /** Folder relative paths in the config resolve against (the config file's folder). */
  baseDir: string;
  configFile?: string;
  /** Chosen once by selectBackend() and handed down; the trainer never switches backends itself. */
  backend: BackendHandle;
  /** Continue from the newest checkpoint in the run folder given by `runDir`. */
  resume?: boolean;
  /** Run folder. Default: a new timestamped folder under output.dir. */
  runDir?: string;
  /**
   * Folders besides the config's own that this run may write into, each checked for links only below itself:
   * the folder a user typed (the CLI's --out and --run, see userOutputRoot), or the workspace folders. output.dir
   * and runDir must lie inside the config's folder or one of these.
   */
  outputRoots?: string[];
  /** Aborting stops after the current step, writes a checkpoint, and ends with reason "stopped". */
  signal?: AbortSignal;
  onEvent: (event: TrainEvent) => void;
  /** Train even when the dataset check finds errors (the CLI's --force): to watch a failure happen. */
  force?: boolean;
  /** A dataset check already run with keepOpen: true; the trainer reuses its dataset, stats and scaling. */
  dataCheck?: DataCheck;
  /** Include grid pixels in samples events (for live views). */
  emitGridPixels?: boolean;
}

export type TrainResult = EndEvent;

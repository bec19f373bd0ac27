/** `--checkpoint DIR` of sample, eval and export: what the user pointed at, as one checkpoint folder (runtime/runs/list.ts). */
import { NoCheckpointError, resolveCheckpoint, type RunCheckpoint } from '../runtime/runs';
import { UsageError } from './args';

export function checkpointArg(given: string, command: string): RunCheckpoint {
  try {
    return resolveCheckpoint(given);
  } catch (err) {
    if (err instanceof NoCheckpointError) throw new UsageError(`--checkpoint ${given}: ${err.message}`, command);
    throw err;
  }
}

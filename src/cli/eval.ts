/** `dcgan-studio eval`: score a checkpoint's samples (classifier score and coverage on MNIST-like data, diversity always). */
import { selectBackend, type BackendPreference } from '../runtime/backend/select';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { evaluateCheckpoint } from '../runtime/eval/evaluate';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { dim, formatEval } from './output';
import { checkpointArg } from './checkpointArg';
import { saveCheckpointEval } from '../runtime/runs';


export async function runEval(args: ParsedArgs, io: Io): Promise<number> {
  if (args.flags.checkpoint === undefined) throw new UsageError('--checkpoint DIR is required: the checkpoint (or run folder) to evaluate.', 'eval');
  const checkpoint = checkpointArg(String(args.flags.checkpoint), 'eval');
  const count = Number(args.flags.count ?? 1000);
  const backend = await selectBackend((args.flags.backend as BackendPreference | undefined) ?? 'auto', {});
  const t0 = performance.now();
  const result = await evaluateCheckpoint(checkpoint.dir, backend, { count });
  backend.release?.();
  const ms = Math.round(performance.now() - t0);
  // Kept beside the checkpoint, so that "dcgan-studio compare" and the Compare Runs panel can show it.
  const saved = saveCheckpointEval(checkpoint.dir, checkpoint.step, result);
  if (args.flags.json) {
    writeJson(io, { event: 'eval', step: checkpoint.step, ...result, checkpoint: checkpoint.dir });
  } else {
    io.out.write(`Step ${checkpoint.step}: ${formatEval(result)}\n`);
    if (result.classifierScore === undefined) io.out.write(dim(io.out, '  (classifier score and coverage apply to 28×28 grayscale digit data only)\n'));
    io.out.write(dim(io.out, `  checkpoint ${checkpoint.dir}, ${backendHeadline(backend.info)} backend, ${ms} ms${saved ? `; saved to ${saved}` : ''}
`));
  }
  return 0;
}


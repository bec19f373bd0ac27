/** `dcgan-studio eval`: score a checkpoint's samples (classifier score and coverage on MNIST-like data, diversity always). */
import { selectBackend, type BackendPreference } from '../runtime/backend/select';
import { evaluateCheckpoint } from '../runtime/eval/evaluate';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { BACKEND_CHOICES } from './sample';
import { formatEval } from './train';
import { dim } from './output';
import { resolveCheckpoint } from './runs';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: "Measure sample quality of a checkpoint: the MNIST classifier's score and class coverage (digit data), Fréchet distance to held-out digits, and diversity.",
  positionals: [],
  flags: [
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'A checkpoints/step-NNNNNN folder, or a run folder (its newest checkpoint).' },
    { name: 'count', type: 'int', valueName: 'N', min: 2, description: 'Samples to generate and score (default 1000).' },
    { name: 'backend', type: 'string', valueName: 'B', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto).' },
    { name: 'json', type: 'boolean', description: 'Print one JSON object: {"event":"eval", "step", "classifierScore"?, "classCoverage"?, "frechetDistance"?, "diversity", "count", "checkpoint"}.' },
  ],
  notes: ['Example:', '  dcgan-studio eval --checkpoint runs/2026-11-27T10-00-00 --count 1000'],
};

export async function runEval(args: ParsedArgs, io: Io): Promise<number> {
  if (args.flags.checkpoint === undefined) throw new UsageError('--checkpoint DIR is required: the checkpoint (or run folder) to evaluate.', 'eval');
  const checkpoint = resolveCheckpoint(String(args.flags.checkpoint));
  const count = Number(args.flags.count ?? 1000);
  const backend = await selectBackend((args.flags.backend as BackendPreference | undefined) ?? 'auto', {});
  const t0 = performance.now();
  const result = await evaluateCheckpoint(checkpoint.dir, backend, { count });
  const ms = Math.round(performance.now() - t0);
  if (args.flags.json) {
    writeJson(io, { event: 'eval', step: checkpoint.step, ...result, checkpoint: checkpoint.dir });
  } else {
    io.out.write(`Step ${checkpoint.step}: ${formatEval(result)}\n`);
    if (result.classifierScore === undefined) io.out.write(dim(io.out, '  (classifier score and coverage apply to 28×28 grayscale digit data only)\n'));
    io.out.write(dim(io.out, `  checkpoint ${checkpoint.dir}, ${backend.info.name} backend, ${ms} ms\n`));
  }
  return 0;
}

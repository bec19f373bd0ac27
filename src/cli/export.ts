/** `dcgan-studio export`: a checkpoint's generator as a TensorFlow.js graph model anyone can load with stock tfjs. */
import { ExportError, exportGenerator, UnsafeFileError } from '../runtime/runs';
import { OutputPathError } from '../runtime/outputFiles';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { dim } from './output';
import { checkpointArg } from './checkpointArg';
import pkg from '../../package.json';

export async function runExport(args: ParsedArgs, io: Io): Promise<number> {
  if (args.flags.checkpoint === undefined) throw new UsageError('--checkpoint DIR is required: the checkpoint (or run folder) whose generator to export.', 'export');
  if (args.flags.out === undefined) throw new UsageError('--out DIR is required: the folder to write model.json and its weight files into.', 'export');
  const checkpoint = checkpointArg(String(args.flags.checkpoint), 'export');
  let result;
  try {
    result = await exportGenerator(checkpoint.dir, String(args.flags.out), { raw: Boolean(args.flags.raw), generatedBy: `dcgan-studio ${pkg.version}` });
  } catch (err) {
    // A folder that is not a usable checkpoint is a bad argument, as for sample and eval.
    if (err instanceof ExportError || err instanceof UnsafeFileError || err instanceof OutputPathError) throw new UsageError(err.message, 'export');
    throw err;
  }
  const m = result.metadata;
  if (args.flags.json) {
    writeJson(io, { modelFile: result.modelFile, weightFiles: result.weightFiles, format: result.format, checkpoint: checkpoint.dir, bytes: result.bytes, metadata: m, ...(result.note ? { note: result.note } : {}) });
    return 0;
  }
  io.out.write(`Wrote the ${m.generator === 'average' ? 'generator average' : 'trained generator'} of step ${m.step} to ${result.modelFile} (+ ${result.weightFiles.length} weight file${result.weightFiles.length > 1 ? 's' : ''}, ${(result.bytes / 1e6).toFixed(1)} MB)\n`);
  if (result.note) io.out.write(`${result.note}\n`);
  io.out.write(dim(io.out, `  z [N, ${m.latentDim}] ~ N(0, 1) → images [N, ${m.imageShape.join(', ')}] in [${m.outputRange.join(', ')}]; ${m.pixelMapping}\n`));
  io.out.write(dim(io.out, `  load it with: const model = await tf.loadGraphModel('${result.modelFile.replace(/\\/g, '/')}'); model.predict(tf.randomNormal([64, ${m.latentDim}]))\n`));
  return 0;
}

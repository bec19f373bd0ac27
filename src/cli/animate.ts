/** `dcgan-studio animate RUN_DIR`: the fixed-noise grids over training as one animated GIF. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { animateRun, NotARunError, writeGif } from '../runtime/runs';
import { OutputPathError, userOutputRoot } from '../runtime/outputFiles';
import { UsageError, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { dim } from './output';

export async function runAnimate(args: ParsedArgs, io: Io): Promise<number> {
  const runDir = args.positionals[0];
  const out = path.resolve(String(args.flags.out ?? 'timeline.gif'));
  if (!out.toLowerCase().endsWith('.gif')) throw new UsageError(`--out ${args.flags.out}: the animation is written as GIF, so the file name must end in .gif.`, 'animate');
  if (!fs.existsSync(path.dirname(out))) throw new UsageError(`--out ${args.flags.out}: the folder ${path.dirname(out)} does not exist.`, 'animate');
  const fps = Number(args.flags.fps ?? 4);
  if (fps > 100) throw new UsageError(`--fps ${fps}: GIF frame delays are whole hundredths of a second, so at most 100.`, 'animate');
  const every = Number(args.flags.every ?? 1);
  let animation;
  try {
    animation = await animateRun(runDir, { fps, every });
  } catch (err) {
    if (err instanceof NotARunError) throw new UsageError(err.message, 'animate');
    throw err;
  }
  try {
    writeGif(userOutputRoot(out), out, animation.gif);
  } catch (err) {
    if (err instanceof OutputPathError) throw new UsageError(`--out ${args.flags.out}: ${err.message}`, 'animate');
    throw err;
  }
  const steps = animation.frames.map((f) => f.step);
  if (args.flags.json) {
    writeJson(io, { file: out, frames: animation.frames.length, steps, width: animation.width, height: animation.height, fps, every, bytes: animation.gif.length, skipped: animation.skipped });
    return 0;
  }
  io.out.write(`Wrote ${animation.frames.length} frames (steps ${steps[0]}–${steps[steps.length - 1]}, ${animation.width}×${animation.height} px, ${fps} fps) to ${out}\n`);
  for (const s of animation.skipped) io.out.write(dim(io.out, `  skipped ${s.file}: ${s.reason}\n`));
  return 0;
}

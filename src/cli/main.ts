/**
 * dcgan-studio: train | lint | prepare | sample | eval | compare | export | animate | sweep. Each command is a spec (flags, help) and a runner that returns
 * the exit code; this file only dispatches and turns errors into messages (stack traces only with --debug).
 */
import { UsageError, didYouMean, formatHelp, parseArgs, type CommandSpec, type ParsedArgs } from './args';
import { processIo, type Io } from './io';
import { red } from './output';
import { animateSpec, compareSpec, evalSpec, exportSpec, lintSpec, prepareSpec, sampleSpec, sweepSpec, trainSpec } from './specs';
import pkg from '../../package.json';

interface Command {
  spec: CommandSpec;
  run: (args: ParsedArgs, io: Io) => Promise<number>;
}

// Loaded on use: `lint` then never initialises TensorFlow.js (about 25 MB of the process's memory).
const COMMANDS: Record<string, Command> = {
  train: { spec: trainSpec, run: async (a, io) => (await import('./train')).runTrain(a, io) },
  lint: { spec: lintSpec, run: async (a, io) => (await import('./lint')).runLint(a, io) },
  prepare: { spec: prepareSpec, run: async (a, io) => (await import('./prepare')).runPrepare(a, io) },
  sample: { spec: sampleSpec, run: async (a, io) => (await import('./sample')).runSample(a, io) },
  eval: { spec: evalSpec, run: async (a, io) => (await import('./eval')).runEval(a, io) },
  compare: { spec: compareSpec, run: async (a, io) => (await import('./compare')).runCompare(a, io) },
  export: { spec: exportSpec, run: async (a, io) => (await import('./export')).runExport(a, io) },
  animate: { spec: animateSpec, run: async (a, io) => (await import('./animate')).runAnimate(a, io) },
  sweep: { spec: sweepSpec, run: async (a, io) => (await import('./sweep')).runSweep(a, io) },
};

function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    `dcgan-studio ${pkg.version}: train DCGANs, catch the data-scaling bug before step 1, and see why a GAN does not learn.`,
    '',
    'Usage: dcgan-studio <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run "dcgan-studio <command> --help" for its options. Add --debug to any command for stack traces.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.err.write(globalHelp());
      return 2;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      io.out.write(topic && COMMANDS[topic] ? formatHelp(COMMANDS[topic].spec) : globalHelp());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.out.write(`${pkg.version}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) {
      const hint = didYouMean(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command "${name}".${hint} Commands: ${Object.keys(COMMANDS).join(', ')}. Run "dcgan-studio --help".`);
    }
    const args = parseArgs(command.spec, rest);
    if (args.flags.help) {
      io.out.write(formatHelp(command.spec));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`${red(io.err, 'dcgan-studio' + (err.command ? ` ${err.command}` : ''))}: ${err.message}\n`);
      if (debug) io.err.write(`${err.stack}\n`);
      return 2;
    }
    if (err instanceof Error && err.name === 'BackendUnavailableError') {
      io.err.write(`${red(io.err, 'backend unavailable')}: ${err.message}\n`);
      if (debug) io.err.write(`${err.stack}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.err.write(`${red(io.err, 'error')}: ${message}\n`);
    io.err.write(debug && err instanceof Error ? `${err.stack}\n` : 'Run again with --debug for the stack trace.\n');
    return 1;
  }
}

/** Waits until stdout has been handed to the OS: process.exit would otherwise cut piped JSON lines short. */
function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

if (require.main === module) {
  // `dcgan-studio train --json | head` closes the pipe early: stop quietly, as Unix tools do, not with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  main(process.argv.slice(2)).then(
    async (code) => {
      await Promise.all([flush(process.stdout), flush(process.stderr)]);
      // Exit explicitly: a backend may keep handles open (wasm, worker pools) after the work is done.
      process.exit(code);
    },
    (err) => {
      processIo.err.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * The commands' flags, help and exit-code notes, apart from their runners so that help and argument errors
 * need none of the runtime.
 */
import type { CommandSpec } from './args';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'Train a DCGAN from a dcgan.json config (default: ./dcgan.json, else the built-in MNIST digits with default settings).',
  positionals: [{ name: 'config', optional: true, description: 'A dcgan.json file, or a folder holding one.' }],
  flags: [
    { name: 'steps', type: 'int', valueName: 'N', min: 1, description: 'Override training.steps.' },
    { name: 'out', type: 'string', valueName: 'DIR', description: 'Override output.dir (relative to the current folder).' },
    { name: 'backend', type: 'string', valueName: 'B', choices: BACKEND_CHOICES, description: 'Override runtime.backend.' },
    { name: 'resume', type: 'boolean', description: 'Continue the newest run under output.dir from its last checkpoint (or the run given by --run).' },
    { name: 'run', type: 'string', valueName: 'DIR', description: 'Run folder to write to, or to resume with --resume.' },
    { name: 'force', type: 'boolean', description: 'Train even when the dataset check finds errors (to watch the failure happen).' },
    { name: 'json', type: 'boolean', description: 'Print one JSON object per line on stdout (the event stream) instead of progress.' },
  ],
  notes: [
    'Exit codes: 0 completed or stopped (Ctrl-C), 1 training error or non-finite losses, 2 could not start',
    '(bad arguments, a config it cannot use, or dataset errors without --force).',
    'Ctrl-C stops after the current step and writes a checkpoint; press it again to exit at once.',
    '',
    'Examples:',
    '  dcgan-studio train                               # ./dcgan.json, or built-in MNIST',
    '  dcgan-studio train examples/demo/dcgan.json --steps 100',
    '  dcgan-studio train dcgan.json --resume --steps 4000',
    '  dcgan-studio train dcgan.json --json > events.jsonl',
  ],
};

export const lintSpec: CommandSpec = {
  name: 'lint',
  summary: 'Check a dcgan.json config and its data, or a bare dataset, before training.',
  positionals: [{ name: 'path', description: 'A dcgan.json config (checked as configured), or a dataset: .npy, .npz, IDX (.gz) or a folder of images (checked as fed as-is to a tanh generator).' }],
  flags: [
    { name: 'json', type: 'boolean', description: 'Print one JSON object: {"dataset": {...}, "problems": [...]}.' },
    { name: 'full', type: 'boolean', description: 'Image folders: decode every image for the statistics, with progress on stderr (default: a fixed sample of 1,000).' },
  ],
  notes: [
    'Exit codes: 0 no errors (warnings allowed), 1 at least one error finding, 2 could not run',
    '(bad arguments, or a config it cannot use).',
    'An image folder is checked from every file\'s header and a fixed random sample of 1,000 decoded images, the same',
    'sample training checks; --full decodes them all.',
    '',
    'Examples:',
    '  dcgan-studio lint dcgan.json',
    '  dcgan-studio lint data/celeba --full',
    '  dcgan-studio lint data/faces.npy --json',
  ],
};

export const prepareSpec: CommandSpec = {
  name: 'prepare',
  summary: "Decode an image folder once into its prepared cache, so that training reads it at disk speed from the first epoch.",
  positionals: [{ name: 'config', description: 'A dcgan.json whose data.path is a folder of images.' }],
  flags: [{ name: 'json', type: 'boolean', description: 'Print one JSON object describing the cache.' }],
  notes: [
    'The cache holds the images resized and center-cropped to model.imageSize (as torchvision\'s Resize + CenterCrop),',
    'as raw 8-bit pixels; data.scale is applied per batch when training. It goes to data.cacheDir, or .dcgan-cache',
    'beside the config, and is rebuilt when the folder or the size changes. Training writes it during its',
    'first epoch anyway; prepare does it up front, on every core.',
    'Exit codes: 0 prepared (or already there), 1 it could not be written, 2 could not run.',
    '',
    'Examples:',
    '  dcgan-studio prepare dcgan.json',
  ],
};

export const sampleSpec: CommandSpec = {
  name: 'sample',
  summary: "Draw images from a checkpoint's generator and write them as one PNG grid.",
  positionals: [],
  flags: [
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'A checkpoints/step-NNNNNN folder, or a run folder (its newest checkpoint).' },
    { name: 'count', type: 'int', valueName: 'N', min: 1, description: 'Images in the grid (default 64).' },
    { name: 'out', type: 'string', valueName: 'FILE.png', description: 'Where to write the grid (default ./samples-step-NNNNNN.png).' },
    { name: 'seed', type: 'int', valueName: 'S', min: 0, description: 'Noise seed; the same seed gives the same images (default: random).' },
    { name: 'backend', type: 'string', valueName: 'B', choices: BACKEND_CHOICES, description: 'TensorFlow.js backend (default auto).' },
    { name: 'json', type: 'boolean', description: 'Print one JSON object describing the written file.' },
  ],
  notes: ['Example:', '  dcgan-studio sample --checkpoint runs/2026-11-27T10-00-00/checkpoints/step-000600 --count 100 --out digits.png'],
};

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

export const compareSpec: CommandSpec = {
  name: 'compare',
  summary: 'Compare 2–6 runs, or a sweep: the config keys that differ, last-step metrics, eval figures, health alerts and the grid steps they share.',
  positionals: [{ name: 'RUN_DIR', variadic: true, description: 'Run folders written by "dcgan-studio train" (output.dir/<run id>), 2 to 6 of them; or one sweep folder (its ranking, and one run per cell).' }],
  flags: [{ name: 'json', type: 'boolean', description: 'Print one JSON object: {"runs", "configDiff", "end", "eval", "alerts", "commonGridSteps", "gridRows"} (a sweep adds "sweep", "ranking", "cells").' }],
  notes: [
    'Exit codes: 0 compared, 2 could not run (bad arguments, or a folder that is not a run).',
    'Eval figures come from "dcgan-studio eval", which saves them beside the checkpoint it scores (eval.json).',
    '',
    'Example:',
    '  dcgan-studio compare runs/smooth0-2026-12-01-10-00-00 runs/smooth01-2026-12-01-10-20-00',
    '  dcgan-studio compare runs/sweeps/sweep-dcgan-2026-12-05-10-00-00',
  ],
};

export const exportSpec: CommandSpec = {
  name: 'export',
  summary: "Write a checkpoint's generator as a TensorFlow.js graph model (model.json + weight files) that stock tfjs loads with tf.loadGraphModel.",
  positionals: [],
  flags: [
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'A checkpoints/step-NNNNNN folder, or a run folder (its newest checkpoint).' },
    { name: 'out', type: 'string', valueName: 'DIR', description: 'Folder to write model.json and group1-shard*.bin into (created if missing).' },
    { name: 'raw', type: 'boolean', description: "Export the trained generator instead of its weight average (the default, which the run's samples show)." },
    { name: 'json', type: 'boolean', description: 'Print one JSON object describing the export (files, metadata).' },
  ],
  notes: [
    'The model maps noise z [N, latentDim] ~ N(0, 1) to images [N, S, S, C] in the generator\'s range;',
    'model.json\'s userDefinedMetadata.dcganStudio gives the latent size, image shape, range and pixel mapping.',
    'Batch norm uses the statistics of the batch being generated, as training samples do: draw many images at once.',
    '',
    'Example:',
    '  dcgan-studio export --checkpoint runs/2026-11-27T10-00-00 --out web/model',
  ],
};

export const animateSpec: CommandSpec = {
  name: 'animate',
  summary: "Write a run's fixed-noise sample grids over training as an animated GIF.",
  positionals: [{ name: 'RUN_DIR', description: 'A run folder written by "dcgan-studio train".' }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE.gif', description: 'Where to write the GIF (default ./timeline.gif).' },
    { name: 'fps', type: 'int', valueName: 'N', min: 1, description: 'Frames per second (default 4, at most 100).' },
    { name: 'every', type: 'int', valueName: 'N', min: 1, description: 'Use every N-th grid (default 1: all); the last grid is always included.' },
    { name: 'json', type: 'boolean', description: 'Print one JSON object describing the written file.' },
  ],
  notes: ['Example:', '  dcgan-studio animate runs/2026-11-27T10-00-00 --out timeline.gif --fps 8 --every 2'],
};

export const sweepSpec: CommandSpec = {
  name: 'sweep',
  summary: 'Train a grid of runs made from one config (here, or as one Slurm array job) and rank them by the Fréchet distance to their own training data.',
  positionals: [
    { name: 'CONFIG', description: 'A dcgan.json to sweep; or status | resume | cancel, followed by a sweep folder.' },
    { name: 'DIR', optional: true, description: 'The sweep folder (for status, resume, cancel).' },
    { name: 'INDEX', optional: true, description: '(sweep task DIR INDEX: one run; what each worker and Slurm array task runs.)' },
  ],
  flags: [
    { name: 'vary', type: 'string', valueName: 'KEY=V1,V2', repeatable: true, description: 'A config key and its values; each --vary multiplies the grid. Values are JSON or plain text ({"from":[0,255]}, auto, 0.1).' },
    { name: 'remedies', type: 'string', valueName: 'CODE', description: 'Instead of --vary: a health alert\'s remedies, each alone, and the baseline (e.g. health/discriminator-overpowering), as the alert offers them for this config and its data.' },
    { name: 'seeds', type: 'int', valueName: 'N', min: 1, description: 'Runs per cell, with training.seed, seed+1, ... (default 1; 2 or more to tell a winner from chance).' },
    { name: 'steps', type: 'int', valueName: 'N', min: 1, description: 'training.steps of every run (default: the config\'s).' },
    { name: 'parallel', type: 'int', valueName: 'N', min: 1, description: 'Runs at a time (local default: one per core, the cores split among them; Slurm: no limit).' },
    { name: 'runner', type: 'string', valueName: 'R', choices: ['local', 'slurm'], description: 'Where the runs train (default local).' },
    { name: 'sbatch', type: 'string', valueName: 'KEY=VALUE', repeatable: true, description: 'An sbatch option for each task: partition, time, gres, cpusPerTask, mem, account, qos, constraint (over the config\'s "slurm" section).' },
    { name: 'out', type: 'string', valueName: 'DIR', description: 'The sweep folder (default <output.dir>/sweeps/sweep-<config>-<time>).' },
    { name: 'force', type: 'boolean', description: 'Train even when the dataset check finds errors (to rank the remedies of a failing config).' },
    { name: 'wait', type: 'boolean', description: 'Slurm: wait until every task has ended, then print the ranking.' },
    { name: 'json', type: 'boolean', description: 'Print JSON lines: {"event":"sweep"|"run-started"|"run-ended"|"submitted"|"sweep-status"|"ranking", ...}.' },
  ],
  notes: [
    'Exit codes: 0 every run scored (or stopped with Ctrl-C), 1 some run failed or is unscored, 2 bad input (nothing was started).',
    'Every cell is validated like a config file before anything starts; data.path and output.dir are never varied.',
    'The runs are ordinary run folders (DIR/runs/*): "dcgan-studio compare DIR" and the Compare panel take the sweep folder.',
    '',
    'Examples:',
    '  dcgan-studio sweep dcgan.json --vary training.labelSmoothing=0,0.1 --vary model.discriminatorDropout=0,0.3 --seeds 2 --steps 1000',
    '  dcgan-studio sweep dcgan.json --vary data.scale=none,auto --force --seeds 3',
    '  dcgan-studio sweep dcgan.json --remedies health/discriminator-overpowering --seeds 2 --steps 500 --force',
    '  dcgan-studio sweep dcgan.json --vary training.learningRate=0.002,0.0002 --runner slurm --sbatch partition=gpu --sbatch gres=gpu:1 --sbatch time=01:00:00',
    '  dcgan-studio sweep status runs/sweeps/sweep-dcgan-2026-12-05-10-00-00',
    '  dcgan-studio sweep resume runs/sweeps/sweep-dcgan-2026-12-05-10-00-00',
  ],
};

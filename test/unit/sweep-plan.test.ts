/**
 * Planning a sweep and ranking it, without training: --vary parsing, the grid, the loader's validation of every
 * cell (bad input exits 2 and leaves nothing behind), the batch script's quoting, and the ranking's verdicts.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { arraySpec, batchScript, gridCells, parseSbatchOption, parseVary, planSweep, rankCells, readSweep, sbatchArgs, SweepInputError, type SweepCell } from '../../src/runtime/sweep';
import { ensureBuilt, runCli, tempDir } from './cli-helpers';

let dir: string;
let config: string;

before(() => {
  ensureBuilt();
  dir = tempDir('sweep-plan');
  config = path.join(dir, 'dcgan.json');
  fs.writeFileSync(config, '// a comment, as users write them\n{ "data": { "path": "builtin:mnist", "limit": 64 }, "training": { "steps": 5, "seed": 3 } }\n');
});

describe('--vary and the grid', () => {
  test('values are JSON when they parse, text otherwise; commas inside JSON stay', () => {
    assert.deepEqual(parseVary('training.labelSmoothing=0,0.1'), { key: 'training.labelSmoothing', values: [0, 0.1] });
    assert.deepEqual(parseVary('data.scale=auto,{"from":[0,255]},none'), { key: 'data.scale', values: ['auto', { from: [0, 255] }, 'none'] });
    assert.deepEqual(parseVary('training.learningRate={"generator":0.002,"discriminator":0.0005},0.002').values, [{ generator: 0.002, discriminator: 0.0005 }, 0.002]);
    assert.throws(() => parseVary('training.labelSmoothing'), SweepInputError);
    assert.throws(() => parseVary('training.labelSmoothing=0,,0.1'), /empty/);
    assert.throws(() => parseVary('training.labelSmoothing=0.1,0.1'), /twice/);
  });

  test('the grid is the product of the --vary lists, first key slowest', () => {
    const cells = gridCells([parseVary('a.x=1,2'), parseVary('b.y=p,q,r')]);
    assert.deepEqual(cells.map((c) => c.set), [{ 'a.x': 1, 'b.y': 'p' }, { 'a.x': 1, 'b.y': 'q' }, { 'a.x': 1, 'b.y': 'r' }, { 'a.x': 2, 'b.y': 'p' }, { 'a.x': 2, 'b.y': 'q' }, { 'a.x': 2, 'b.y': 'r' }]);
  });

  test('a plan writes one validated config per run, with the seeds, the steps and absolute paths', () => {
    const out = path.join(dir, 'planned');
    const { sweep } = planSweep({ configFile: config, cells: gridCells([parseVary('training.labelSmoothing=0,0.1')]), seeds: 2, steps: 7, out, cpus: 4 });
    assert.equal(sweep.runs.length, 4);
    assert.deepEqual(sweep.seeds, [3, 4]);
    assert.deepEqual(sweep.knobs, ['training.labelSmoothing']);
    assert.equal(sweep.parallel, 4);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'configs', `${sweep.runs[3].name}.dcgan.json`), 'utf8'));
    assert.equal(run.training.labelSmoothing, 0.1);
    assert.equal(run.training.seed, 4);
    assert.equal(run.training.steps, 7);
    assert.equal(run.runtime.threads, 1, 'four cores shared by four runs at a time');
    assert.equal(run.output.dir, path.join(out, 'runs'));
    assert.equal(run.data.path, 'builtin:mnist');
    assert.deepEqual(readSweep(out).sweep.runs.map((r) => r.name), sweep.runs.map((r) => r.name));
    assert.throws(() => planSweep({ configFile: config, cells: [{ set: {} }], out }), /already holds a sweep/);
  });
});

describe('bad sweep input exits 2 before anything runs', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown key, with a suggestion', ['--vary', 'training.labelSmoting=0,0.1'], /unknown key "training\.labelSmoting".*Did you mean training\.labelSmoothing\?/s],
    ['a value the schema refuses', ['--vary', 'training.labelSmoothing=0,0.9'], /training\.labelSmoothing must be <= 0\.5.*given training\.labelSmoothing=0\.9/s],
    ['a value of the wrong type', ['--vary', 'training.batchSize=32,big'], /training\.batchSize must be integer.*"big"/s],
    ['a path key: data.path', ['--vary', 'data.path=a.npy,b.npy'], /data\.path=.*is a path/s],
    ['a path key: output.dir', ['--vary', 'output.dir=x,y'], /output\.dir=.*is a path/s],
    ['a scheduling key', ['--vary', 'slurm.partition=a,b'], /slurm\.partition.*--sbatch/s],
    ['no value list', ['--vary', 'training.labelSmoothing'], /expected KEY=V1,V2/],
    ['an sbatch option off the allow-list', ['--vary', 'training.labelSmoothing=0,0.1', '--runner', 'slurm', '--sbatch', 'output=/etc/passwd'], /--sbatch "output=\/etc\/passwd": give one of/],
    ['an sbatch value that is not plain', ['--vary', 'training.labelSmoothing=0,0.1', '--runner', 'slurm', '--sbatch', 'partition=gpu;rm'], /not a plain value for --partition/],
    ['no --vary at all', [], /at least one --vary/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const out = path.join(dir, `bad-${name.replace(/\W+/g, '-')}`);
      const r = await runCli(['sweep', config, ...args, '--out', out]);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(fs.existsSync(out), false, 'nothing was written');
    });
  }

  test('sweep status of a folder that is not a sweep: exit 2, naming it', async () => {
    const r = await runCli(['sweep', 'status', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sweep\.json is missing/);
  });
});

describe('Slurm: the batch script and sbatch options', () => {
  test('paths are single-quoted: a folder named with quotes, $() and spaces stays a literal word', () => {
    const hostile = path.join(dir, `it's $(touch pwned) a "sweep"`);
    fs.mkdirSync(hostile, { recursive: true });
    const script = batchScript(hostile, { node: process.execPath, script: '/opt/dcgan studio/cli.js' });
    assert.match(script, /^#!\/bin\/bash\n/);
    // Run the assignments in bash and print them back: they must come out exactly as given, with nothing executed.
    const assignments = script.split('\n').filter((l) => /^(NODE|CLI|SWEEP)=/.test(l)).join('\n');
    const r = spawnSync('bash', ['-c', `${assignments}\nprintf '%s\\n' "$SWEEP" "$CLI"`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.stdout, `${hostile}\n/opt/dcgan studio/cli.js\n`);
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
    assert.throws(() => batchScript(path.join(dir, 'a\nb'), { node: 'node', script: 'cli.js' }), /control character/);
  });

  test('sbatch options: an allow-list with plain values, passed as arguments', () => {
    assert.deepEqual(parseSbatchOption('gres=gpu:1'), { gres: 'gpu:1' });
    assert.deepEqual(parseSbatchOption('cpus-per-task=4'), { cpusPerTask: 4 });
    assert.deepEqual(sbatchArgs({ partition: 'gpu', time: '01:00:00', gres: 'gpu:1' }), ['--partition=gpu', '--time=01:00:00', '--gres=gpu:1']);
    assert.throws(() => sbatchArgs({ partition: 'gpu --wrap=id' }), /not a plain value/);
    assert.throws(() => parseSbatchOption('export=ALL,LD_PRELOAD=x'), /give one of/);
    assert.equal(arraySpec([0, 1, 2, 5, 7, 8], 2), '0-2,5,7-8%2');
    assert.equal(arraySpec([3]), '3');
  });
});

describe('ranking', () => {
  const cells = (labels: string[]): SweepCell[] => labels.map((label, index) => ({ index, label, set: { 'data.scale': label } }));

  test('a clear winner: the gap is larger than the seed spread; the knob that differs is named', () => {
    const r = rankCells(cells(['none', 'auto']), [[300, 320], [20, 24]]);
    assert.equal(r.verdict, 'clear');
    assert.equal(r.winner, 1);
    assert.deepEqual(r.cells.map((c) => c.label), ['auto', 'none']);
    assert.equal(r.cells[0].mean, 22);
    assert.ok(Math.abs(r.cells[0].spread - Math.SQRT2 * 2) < 1e-12);
    assert.deepEqual(r.knobs, [{ key: 'data.scale', winner: 'auto', runnerUp: 'none' }]);
    assert.match(r.summary, /"auto" wins .*data\.scale: auto vs none/);
  });

  test('no clear winner when the seeds spread wider than the gap', () => {
    const r = rankCells(cells(['a', 'b']), [[100, 140], [110, 115]]);
    assert.equal(r.verdict, 'no-clear-winner');
    assert.match(r.summary, /No clear winner/);
  });

  test('one seed per cell claims no winner; unscored cells are listed, not ranked', () => {
    const r = rankCells(cells(['a', 'b', 'c']), [[100], [50], [undefined]]);
    assert.equal(r.verdict, 'single-seed');
    assert.deepEqual(r.unscored, [2]);
    assert.equal(r.cells.length, 2);
    assert.equal(rankCells(cells(['a']), [[1, 2]]).verdict, 'too-few');
  });
});

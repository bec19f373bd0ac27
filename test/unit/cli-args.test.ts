import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, formatHelp, parseArgs } from '../../src/cli/args';
import { trainSpec } from '../../src/cli/specs';
import { Progress, logInterval, stepLine, formatProblemBlock } from '../../src/cli/output';
import { eventJson } from '../../src/cli/json';
import type { StepEvent } from '../../src/runtime/events';

test('parses flags in both forms, positionals and ints', () => {
  const a = parseArgs(trainSpec, ['cfg.json', '--steps', '12', '--out=runs2', '--json', '--backend', 'wasm']);
  assert.deepEqual(a.positionals, ['cfg.json']);
  assert.equal(a.flags.steps, 12);
  assert.equal(a.flags.out, 'runs2');
  assert.equal(a.flags.json, true);
  assert.equal(a.flags.backend, 'wasm');
});

test('unknown flags are errors with a did-you-mean hint and the help command', () => {
  assert.throws(() => parseArgs(trainSpec, ['--step', '3']), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /unknown option --step/);
    assert.match(e.message, /Did you mean --steps\?/);
    assert.match(e.message, /dcgan-studio train --help/);
    return true;
  });
});

test('bad values name the flag and the value', () => {
  assert.throws(() => parseArgs(trainSpec, ['--steps', 'ten']), /--steps must be a whole number, got "ten"/);
  assert.throws(() => parseArgs(trainSpec, ['--steps', '0']), /--steps must be at least 1/);
  assert.throws(() => parseArgs(trainSpec, ['--backend', 'wsam']), /must be one of auto, tensorflow, webgpu, wasm, cpu; got "wsam". Did you mean wasm\?/);
  assert.throws(() => parseArgs(trainSpec, ['--out', '--json']), /--out needs a value/);
  assert.throws(() => parseArgs(trainSpec, ['--json=yes']), /takes no value/);
  assert.throws(() => parseArgs(trainSpec, ['a.json', 'b.json']), /too many arguments: "b.json"/);
});

test('help lists every flag', () => {
  const help = formatHelp(trainSpec);
  for (const f of trainSpec.flags) assert.ok(help.includes(`--${f.name}`), `help mentions --${f.name}`);
  assert.match(help, /Exit codes/);
});

const step = (n: number, itPerSecond?: number): StepEvent => ({ event: 'step', step: n, lossD: 1.23456, lossG: 0.98765, dReal: 0.512, dFake: 0.471, ms: 811.6, ...(itPerSecond !== undefined ? { itPerSecond } : {}) });

test('the non-TTY step line follows pytorch/examples', () => {
  assert.equal(stepLine(step(120), 2000), '[120/2000] Loss_D: 1.2346 Loss_G: 0.9877 D(x): 0.51 D(G(z)): 0.47 ms: 812');
  assert.equal(logInterval(3), 1);
  assert.equal(logInterval(600), 10);
  assert.equal(logInterval(2000), 50);
});

test('non-TTY progress prints every Nth step, the first and the last', () => {
  let text = '';
  const p = new Progress({ write: (t: string) => (text += t), isTTY: false }, 30, 10);
  for (let i = 1; i <= 30; i++) p.step(step(i));
  assert.deepEqual(text.trim().split('\n').map((l) => l.split(']')[0]), ['[1/30', '[10/30', '[20/30', '[30/30']);
});

test('TTY progress redraws one line with rate and ETA, and prints messages above it', () => {
  let text = '';
  let now = 0;
  const p = new Progress({ write: (t: string) => (text += t), isTTY: true, columns: 160 }, 100, 10, () => now);
  for (let i = 1; i <= 10; i++) {
    now += 500;
    p.step(step(i, i > 1 ? 2 : undefined)); // the trainer's own measure (runtime/progress.ts), as every view shows it
  }
  assert.equal(p.rate()?.toFixed(2), '2.00');
  p.print('Samples: /tmp/x.png');
  const last = text.split('\r\x1b[2K').at(-1)!;
  assert.match(last, /^ 10\/100  10% \[=/);
  assert.match(last, /\] 2\.00 it\/s ETA 45s Loss_D 1\.2346 Loss_G 0\.9877 D\(x\) 0\.51 D\(G\(z\)\) 0\.47/);
  assert.ok(text.includes('Samples: /tmp/x.png\n'));
});

test('a narrow TTY drops the bar, then shortens the labels, and never wraps', () => {
  for (const columns of [80, 66, 40]) {
    let text = '';
    let now = 0;
    const p = new Progress({ write: (t: string) => (text += t), isTTY: true, columns }, 2000, 10, () => now);
    for (let i = 1; i <= 3; i++) {
      now += 1000;
      p.step(step(i));
    }
    const last = text.split('\r\x1b[2K').at(-1)!;
    assert.ok(last.length < columns, `${last.length} < ${columns}: ${last}`);
    if (columns >= 66) assert.match(last, /D\(G\(z\)\) 0\.47$/, 'the four metrics survive');
  }
});

test('problems print with causes in order and fixes as config edits', () => {
  const text = formatProblemBlock({ write: () => 0 }, {
    code: 'health/discriminator-overpowering', severity: 'warning', step: 40, message: 'D wins.',
    causes: ['data range', 'D too wide'],
    fixes: [{ title: 'Scale the data', edits: [{ path: ['data', 'scale'], value: 'auto' }], isPreferred: true }],
  });
  assert.match(text, /^warning health\/discriminator-overpowering \(step 40\): D wins\./);
  assert.match(text, /1\. data range\n {4}2\. D too wide/);
  assert.match(text, /fix: Scale the data \[data\.scale = "auto"\]/);
});

test('JSON events drop grid pixels and flatten problems', () => {
  const samples = eventJson({ event: 'samples', step: 2, file: '/x.png', grid: { width: 1, height: 1, channels: 1, data: new Uint8Array(1) } });
  assert.deepEqual(samples, { event: 'samples', step: 2, file: '/x.png' });
  const problem = eventJson({ event: 'problem', step: 5, code: 'health/non-finite', severity: 'error', message: 'NaN' });
  assert.deepEqual(problem, { event: 'problem', step: 5, code: 'health/non-finite', severity: 'error', message: 'NaN' });
});

test("README's CLI synopsis has a line for every command, and a flag's choices there are the spec's", async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const specs = Object.values(await import('../../src/cli/specs')).filter((s): s is typeof trainSpec => typeof s === 'object' && s !== null && 'name' in s && 'flags' in s);
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const synopsis = readme.slice(readme.indexOf('## The CLI')).split('```')[1].split('\n').filter((l) => l.startsWith('node dist/cli.js '));
  for (const spec of specs) {
    const line = synopsis.find((l) => l.split(' ')[2] === spec.name);
    assert.ok(line, `README's synopsis has no "node dist/cli.js ${spec.name}" line`);
    for (const flag of spec.flags.filter((f) => f.choices)) {
      const shown: string | undefined = new RegExp(`--${flag.name} ([a-z|]+)`).exec(line)?.[1];
      if (shown !== undefined) assert.equal(shown, flag.choices!.join('|'), `README: ${spec.name} --${flag.name}`);
    }
  }
  assert.match(synopsis.find((l) => l.split(' ')[2] === 'train')!, /--backend /, 'train --backend is in the synopsis');
});

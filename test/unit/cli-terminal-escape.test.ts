/**
 * Issue 15, finding 7: text from files (a run id, a config value, an image's file name) reached the terminal with
 * its control characters, so a cloned repository could write the clipboard (OSC 52), retitle the terminal or move
 * the cursor to forge output. Every such string must arrive escaped, in the table and in --json (where the escape
 * is JSON's own, so the value parses back unchanged), and in the extension's output channel.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli, tempDir } from './cli-helpers';
import { escapingLog } from '../../src/extension/escapingLog';

const OSC52 = '\x1b]52;c;ZWNobyBwd25lZA==\x07';
const CURSOR = '\x1b[2A\x1b[2K';
const C1_CSI = '\u009b31m';
const BIDI = '\u202eexe.txt';
/** Anything a terminal acts on: C0 but newline and tab, DEL, C1, and the bidi overrides and isolates. */
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/;

let dir: string;
before(() => { ensureBuilt(); dir = tempDir('escape'); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(name: string, runId: string, dataPath: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'run.json'), JSON.stringify({ runId, status: 'completed' }));
  fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ data: { path: dataPath }, training: { steps: 4 } }));
  fs.writeFileSync(path.join(d, 'metrics.jsonl'), JSON.stringify({ event: 'step', step: 1, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 1 }) + '\n');
  return d;
}

test('finding 7: compare escapes control characters from run.json and config.json, and --json keeps them exactly', async () => {
  const idA = `a${OSC52}${CURSOR}forged`;
  const idB = `b${C1_CSI}${BIDI}`;
  const pathA = `data${OSC52}.npy`;
  const runs = [run('a', idA, pathA), run('b', idB, 'builtin:mnist')];
  const table = await runCli(['compare', ...runs]);
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout + table.stderr, DANGEROUS, JSON.stringify(table.stdout));
  assert.ok(table.stdout.includes('a\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\u001b[2A\\u001b[2Kforged'), table.stdout);
  assert.ok(table.stdout.includes('b\\u009b31m\\u202eexe.txt'), table.stdout);

  const json = await runCli(['compare', ...runs, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, DANGEROUS);
  const c = JSON.parse(json.stdout);
  assert.deepEqual(c.runs.map((r: { runId: string }) => r.runId), [idA, idB], 'the ids parse back exactly');
  assert.deepEqual(c.configDiff.find((d: { key: string }) => d.key === 'data.path')?.values, [pathA, 'builtin:mnist']);
});

test('finding 7: lint escapes an image file name carrying a terminal title sequence', async () => {
  const folder = path.join(dir, 'images');
  fs.mkdirSync(folder);
  const evil = `\x1b]0;pwned\x07${BIDI}.png`;
  fs.writeFileSync(path.join(folder, evil), 'not a png');
  const r = await runCli(['lint', folder]);
  assert.doesNotMatch(r.stdout + r.stderr, DANGEROUS, JSON.stringify(r.stdout + r.stderr));
  assert.ok((r.stdout + r.stderr).includes('\\u001b]0;pwned\\u0007\\u202eexe.txt.png'), r.stdout + r.stderr);
});

test('finding 7: the output channel escapes every message (a recording channel stands in for VS Code\'s)', () => {
  const got: string[] = [];
  const channel = {
    name: 'DCGAN Studio',
    info: (m: string) => got.push(`info ${m}`),
    warn: (m: string) => got.push(`warn ${m}`),
    error: (m: string | Error) => got.push(`error ${m instanceof Error ? m.message : m}`),
    debug: (m: string) => got.push(`debug ${m}`),
    trace: (m: string) => got.push(`trace ${m}`),
    appendLine: (m: string) => got.push(`line ${m}`),
    show: () => got.push('show'),
  };
  const log = escapingLog(channel as unknown as import('vscode').LogOutputChannel);
  log.info(`run ${OSC52}`);
  log.warn(`${CURSOR}x`);
  log.error(new Error(`bad ${C1_CSI}`));
  log.appendLine(BIDI);
  log.show();
  assert.equal(log.name, 'DCGAN Studio');
  assert.deepEqual(got, ['info run \\u001b]52;c;ZWNobyBwd25lZA==\\u0007', 'warn \\u001b[2A\\u001b[2Kx', 'error bad \\u009b31m', 'line \\u202eexe.txt', 'show']);
});

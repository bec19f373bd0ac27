/**
 * Issue 15, finding 9: what a run record keeps of a run folder's text. A message cut to a few thousand characters
 * with String.slice stays a view of the whole parsed line in V8, so 200 problem lines of 1 MB kept 200 MB alive;
 * and the Compare panel holds up to six records for as long as it is open. Each case reads a run in a child
 * process (--expose-gc) and measures the heap the record keeps after a full collection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runMeasured, tempDir } from './cli-helpers';
import { gridRun } from './hostile-fixtures';

let dir: string;
before(() => { dir = tempDir('retained'); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const MEASURE = `
const { readRun } = require(${JSON.stringify(path.join(ROOT, 'src/runtime/runs/index.ts'))});
(async () => {
  global.gc(); global.gc();
  const base = process.memoryUsage().heapUsed;
  const record = await readRun(process.argv.at(-1));
  global.gc(); global.gc();
  const kept = process.memoryUsage().heapUsed - base;
  console.log(JSON.stringify({ keptMb: kept / 2 ** 20, problems: record.problems.length + record.alerts.length, longest: Math.max(...record.problems.concat(record.alerts).map((p) => p.message.length)) }));
})();
`;

async function retained(run: string): Promise<{ keptMb: number; problems: number; longest: number }> {
  const script = path.join(dir, 'measure.cjs');
  fs.writeFileSync(script, MEASURE);
  const r = await runMeasured([run], { script, nodeArgs: ['--expose-gc', '--import', 'tsx'], cwd: ROOT, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function problemLines(run: string, count: number, message: number, causes: number): void {
  const fd = fs.openSync(path.join(run, 'metrics.jsonl'), 'w');
  for (let i = 0; i < count; i++) {
    const p = { event: 'problem', code: i % 2 ? 'health/mode-collapse' : 'data/partial-range', severity: 'warning', step: i, message: String.fromCharCode(97 + (i % 26)).repeat(message), causes: Array.from({ length: causes }, () => 'c'.repeat(message)) };
    fs.writeSync(fd, JSON.stringify(p) + '\n');
  }
  fs.closeSync(fd);
}

test('finding 9: 200 problem lines of 1 MB each keep kilobytes, not the lines', { timeout: 180_000 }, async () => {
  const run = gridRun(path.join(dir, 'long-messages'), []);
  problemLines(run, 200, 1_000_000, 0);
  const r = await retained(run);
  console.log(`  200 × 1 MB messages: ${r.keptMb.toFixed(1)} MB kept for ${r.problems} problems`);
  assert.equal(r.problems, 200);
  assert.ok(r.longest <= 4000, `messages are cut (${r.longest} characters)`);
  assert.ok(r.keptMb < 10, `${r.keptMb.toFixed(1)} MB of heap kept by the record`);
});

test('finding 9: what one run\'s problems may keep is capped as a whole (the Compare panel holds six runs)', { timeout: 180_000 }, async () => {
  const run = gridRun(path.join(dir, 'many-problems'), []);
  // 1,000 lines of a 4,000-character message and 20 causes of 4,000 characters: 84 MB of problem text.
  problemLines(run, 1000, 4000, 20);
  const r = await retained(run);
  console.log(`  1,000 problems of 84 KB: ${r.keptMb.toFixed(1)} MB kept for ${r.problems} problems`);
  assert.ok(r.problems > 0);
  assert.ok(r.keptMb < 12, `${r.keptMb.toFixed(1)} MB of heap kept by one run's problems`);
});

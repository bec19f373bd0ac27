/**
 * Scores every scored run of a sweep a second time, against the images its data holds *after* data.limit (which the
 * run never saw), beside its score against its own training data. For small-data sweeps: a generator that learned
 * the training images by heart scores well against them and worse against held-out ones; one that learned the
 * distribution scores alike. How the small-data trial in docs/sweeps.md got its held-out column.
 *
 *   npm run build && node --import tsx scripts/sweep-heldout.ts SWEEP_DIR
 */
import { loadConfigFile } from '../src/runtime/config/load';
import { selectBackend } from '../src/runtime/backend/select';
import { listCheckpoints } from '../src/runtime/runs';
import { rankCells, readSweep, runConfigOf, runDirOf, sweepStatus } from '../src/runtime/sweep';
import { scoreCheckpoint } from '../src/runtime/sweep/score';

async function main(): Promise<void> {
  const dirArg = process.argv[2];
  if (!dirArg) {
    console.error('usage: node --import tsx scripts/sweep-heldout.ts SWEEP_DIR');
    process.exit(2);
  }
  const { dir, sweep } = readSweep(dirArg);
  const { runs } = await sweepStatus(dir, sweep);
  const backend = await selectBackend('wasm', { threads: 1 });
  const heldOut: (number | undefined)[][] = sweep.cells.map(() => []);
  for (const s of runs) {
    const checkpoint = listCheckpoints(runDirOf(dir, s.run)).at(-1);
    if (s.state !== 'scored' || !checkpoint) { heldOut[s.run.cell].push(undefined); continue; }
    const score = await scoreCheckpoint(backend.tf, checkpoint.dir, loadConfigFile(runConfigOf(dir, s.run)), sweep.referenceScale, s.run.name, true);
    heldOut[s.run.cell].push(score.frechetDistance);
    console.log(`${s.run.name}\ttraining ${s.score!.frechetDistance.toFixed(2)}\theld-out ${score.frechetDistance.toFixed(2)} (${score.referenceImages} images)`);
  }
  const training = rankCells(sweep.cells, sweep.cells.map((c) => runs.filter((s) => s.run.cell === c.index).map((s) => s.score?.frechetDistance)));
  const held = rankCells(sweep.cells, heldOut);
  const f = (x: number) => x.toFixed(1);
  console.log('\n| cell | vs its training images | vs held-out images |\n| --- | --- | --- |');
  for (const c of training.cells) {
    const h = held.cells.find((x) => x.cell === c.cell);
    console.log(`| ${c.label} | ${f(c.mean)} ± ${f(c.spread)} (#${c.rank}) | ${h ? `${f(h.mean)} ± ${f(h.spread)} (#${h.rank})` : '-'} |`);
  }
  console.log(`\ntraining: ${training.summary}\nheld-out: ${held.summary}`);
  backend.release?.();
}

void main().catch((err) => { console.error(err); process.exit(1); });

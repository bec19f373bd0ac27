/** The "Samples" side view bundle in headless Chromium, fed the runs the way SamplesViewProvider sends them. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunSummary } from '../../src/protocol';
import { realBatchFile, summarizeRun } from '../../src/runtime/runs';
import { ARTIFACTS, fixtureRunDir, launch, openWebview, toUri, waitFor } from './harness';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { gridCells, parseVary, planSweep, rankSweep, sweepStatus } from '../../src/runtime/sweep';
import { sweepNode } from '../../src/extension/views/sweepView';

const { dir: RUN_DIR } = fixtureRunDir();

describe('samples side view', () => {
  let browser: Browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('lists the run with its grids over time, enlarges one on click, compares two steps, shows real beside fake', async () => {
    const h = await openWebview(browser, 'samples', { width: 380, height: 820 });
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const s = summarizeRun(RUN_DIR);
    const run: RunSummary = { ...s, grids: s.grids?.map((g) => ({ ...g, uri: toUri(g.file) })) };
    assert.ok((run.grids?.length ?? 0) >= 2, 'the fixture has grids');
    await h.send([{ type: 'runs', runs: [run] }]);
    await h.page.waitForSelector('[data-testid="thumb"]');
    const thumbs = await h.page.locator('[data-testid="thumb"]').count();
    assert.equal(thumbs, Math.min(24, run.grids!.length));
    // Images really load (naturalWidth > 0) from the run folder under the CSP.
    await h.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="thumb-img"]')].every((i) => i.complete && i.naturalWidth > 0));
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-over-time.png'), fullPage: true });

    await h.page.locator('[data-testid="thumb"]').first().click();
    assert.equal(await h.page.isVisible('[data-testid="enlarged"]'), true);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-enlarged.png') });
    await h.page.click('[data-testid="enlarged"]');
    assert.equal(await h.page.isVisible('[data-testid="enlarged"]'), false);

    await h.page.click('#tab-compare');
    const a = await h.page.getAttribute('[data-testid="compare-a"]', 'data-step');
    const b = await h.page.getAttribute('[data-testid="compare-b"]', 'data-step');
    assert.equal(Number(a), run.grids![0].step);
    assert.equal(Number(b), run.grids![run.grids!.length - 1].step);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-compare.png'), fullPage: true });

    const asked = await waitFor(h.posted, (p) => p.some((m) => m.type === 'requestRealBatch'), 'a requestRealBatch message');
    assert.deepEqual(asked.find((m) => m.type === 'requestRealBatch'), { type: 'requestRealBatch', runId: run.runId });
    const real = realBatchFile(RUN_DIR);
    await h.send([{ type: 'realBatch', runId: run.runId, ...(real ? { image: { kind: 'uri' as const, uri: toUri(real), file: real } } : { note: 'no samples/real.png' }) }]);
    await h.page.click('#tab-real');
    if (real) await h.page.waitForSelector('[data-testid="real-batch"]');
    else await h.page.waitForSelector('[data-testid="real-note"]');
    await h.page.waitForSelector('[data-testid="fake-batch"]');
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-real-vs-fake.png'), fullPage: true });

    await h.page.click('[data-testid="open-dashboard"]');
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'openDashboard' && m.runId === run.runId), 'an openDashboard message');
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
  });

  it('plays the timeline, asks the host for a GIF, and asks to compare the runs ticked in the Runs tab', async () => {
    const h = await openWebview(browser, 'samples', { width: 380, height: 820 });
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const s = summarizeRun(RUN_DIR);
    const run: RunSummary = { ...s, grids: s.grids?.map((g) => ({ ...g, uri: toUri(g.file) })) };
    const other: RunSummary = { ...run, runId: `${run.runId}-b` };
    await h.send([{ type: 'runs', runs: [run, other] }]);
    await h.page.waitForSelector('[data-testid="player"]');
    const steps = run.grids!.map((g) => g.step);
    const shown = () => h.page.getAttribute('[data-testid="player-img"]', 'data-step').then(Number);
    assert.equal(await shown(), steps.at(-1), 'the player starts on the latest grid');

    // Play starts from the first grid and walks forward, a frame every 250 ms; Pause holds the frame.
    await h.page.click('[data-testid="play"]');
    const seen = new Set<number>();
    await waitFor(async () => { seen.add(await shown()); return seen.size; }, (n) => n >= 3, 'three different frames while playing');
    assert.ok(seen.has(steps[0]) || seen.has(steps[1]), `playing started at the beginning: ${[...seen]}`);
    assert.equal(await h.page.textContent('[data-testid="play"]'), 'Pause');
    await h.page.click('[data-testid="play"]');
    const held = await shown();
    await h.page.waitForTimeout(600);
    assert.equal(await shown(), held, 'paused: the frame holds');
    // A rescan of the workspace (a new runs message) keeps the frame.
    await h.send([{ type: 'runs', runs: [run, other] }]);
    assert.equal(await shown(), held);

    await h.page.click('[data-testid="save-gif"]');
    const asked = await waitFor(h.posted, (p) => p.some((m) => m.type === 'saveGif'), 'a saveGif message');
    assert.deepEqual(asked.find((m) => m.type === 'saveGif'), { type: 'saveGif', runId: run.runId });
    await h.send([{ type: 'gifSaved', runId: run.runId, ok: true, file: '/tmp/run-timeline.gif', frames: steps.length }]);
    await waitFor(() => h.page.textContent('[data-testid="gif-status"]'), (t) => t?.includes(`Saved ${steps.length} frames`) === true, 'the saved message');

    await h.page.click('#tab-runs');
    const compare = h.page.locator('[data-testid="compare-selected"]');
    assert.equal(await compare.getAttribute('disabled'), '', 'Compare is off with fewer than two runs ticked');
    const boxes = h.page.locator('[data-testid="run-check"]');
    assert.equal(await boxes.count(), 2);
    await boxes.nth(0).click();
    await boxes.nth(1).click();
    await waitFor(() => compare.getAttribute('disabled'), (d) => d === null, 'Compare to turn on');
    await compare.click();
    const posted = await waitFor(h.posted, (p) => p.some((m) => m.type === 'compareRuns'), 'a compareRuns message');
    assert.deepEqual(posted.find((m) => m.type === 'compareRuns'), { type: 'compareRuns', runIds: [run.runId, other.runId] });
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-runs-tab.png'), fullPage: true });
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
  });

  it('shows a sweep as one node with its runs and progress; its Compare button names the sweep', async () => {
    // A real plan (the planner writes the folder; nothing is trained): 2 cells × 2 seeds, all not started yet.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-samples-sweep-'));
    const config = path.join(dir, 'dcgan.json');
    fs.writeFileSync(config, JSON.stringify({ data: { path: 'builtin:mnist', limit: 64 }, training: { steps: 5 } }));
    const { dir: sweepDir, sweep } = planSweep({ configFile: config, cells: gridCells([parseVary('training.labelSmoothing=0,0.1')]), seeds: 2, out: path.join(dir, 'sweep') });
    const { runs } = await sweepStatus(sweepDir, sweep);
    const node = sweepNode(sweep, runs, rankSweep(sweep, runs), true);
    const h = await openWebview(browser, 'samples', { width: 380, height: 820 });
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const s0 = summarizeRun(RUN_DIR);
    await h.send([{ type: 'runs', runs: [{ ...s0, grids: [] }], sweeps: [node] }]);
    await h.page.click('#tab-runs');
    await h.page.waitForSelector('[data-testid="sweep-node"]');
    assert.equal(await h.page.locator('[data-testid="sweep-run"]').count(), 4);
    assert.match(await h.page.locator('[data-testid="sweep-node"] summary').textContent() ?? '', /Sweep of training\.labelSmoothing.*0\/4 runs · 4 not-started/);
    assert.equal(await h.page.getAttribute('[data-testid="sweep-node"] progress', 'max'), '4');
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'samples-sweep-node.png'), fullPage: true });
    await h.page.click('[data-testid="sweep-compare"]');
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'compareSweep' && m.sweepId === sweep.sweepId), 'a compareSweep message');
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * The Compare Runs page in headless Chromium, fed what ComparePanel sends: two run folders read with the
 * runtime's readRun, compared with compareRuns, turned into messages by compareView.ts.
 *
 * The runs: the recorded run (test/fixtures/recorded-run, a real recording) and a SYNTHETIC sibling made from it
 * here: the same metrics with training.labelSmoothing set to 0.1 in its start event and its losses shifted, so
 * that the two differ in exactly one config key and visibly in the curves. An eval event and a health alert are
 * appended to make those sections non-empty; they are test data, not results.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TrainEvent } from '../../src/runtime/events';
import { readRun } from '../../src/runtime/runs';
import { comparisonView, liveUpdate } from '../../src/extension/views/compareView';
import { ARTIFACTS, fixtureRunDir, launch, openWebview, toUri, waitFor } from './harness';

const { dir: RECORDED } = fixtureRunDir();

function copyRun(to: string, edit: (e: TrainEvent) => TrainEvent, extra: object[] = []): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(path.join(to, 'samples'), { recursive: true });
  for (const f of ['run.json', 'config.json']) fs.copyFileSync(path.join(RECORDED, f), path.join(to, f));
  for (const f of fs.readdirSync(path.join(RECORDED, 'samples'))) fs.copyFileSync(path.join(RECORDED, 'samples', f), path.join(to, 'samples', f));
  const lines = fs.readFileSync(path.join(RECORDED, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => edit(JSON.parse(l) as TrainEvent));
  fs.writeFileSync(path.join(to, 'metrics.jsonl'), [...lines, ...extra].map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const chartHook = <T>(name: string) => `window.__dcganCompare.${name}()` as unknown as () => T;

describe('compare runs webview', () => {
  let browser: Browser;
  const base = path.join(ARTIFACTS, 'compare-runs');
  const runA = path.join(base, 'a', 'run');
  const runB = path.join(base, 'b', 'run');

  before(async () => {
    copyRun(runA, (e) => e, [
      { event: 'problem', step: 60, code: 'health/discriminator-overpowering', severity: 'warning', message: 'test data: D(x) 0.98 while D(G(z)) 0.02' },
      { event: 'eval', step: 120, classifierScore: 0.41, classCoverage: 3, frechetDistance: 80.5, diversity: 0.12, count: 1000 },
    ]);
    copyRun(runB, (e) => {
      if (e.event === 'start') {
        const config = JSON.parse(JSON.stringify(e.config)) as { training: Record<string, unknown> };
        config.training.labelSmoothing = 0.1;
        return { ...e, config };
      }
      if (e.event === 'step') return { ...e, lossD: e.lossD + 0.3, dReal: Math.min(1, e.dReal * 0.9) };
      return e;
    }, [{ event: 'eval', step: 120, classifierScore: 0.52, classCoverage: 5, frechetDistance: 60.25, diversity: 0.14, count: 1000 }]);
    browser = await launch();
  });
  after(async () => { await browser?.close(); });

  it('overlays both runs, names the config key that differs, shows evals, alerts and grids at one step, and follows a live run', async () => {
    const a = await readRun(runA);
    const b = await readRun(runB);
    const view = comparisonView([a, b], toUri);
    assert.deepEqual(view.configDiff.map((r) => [r.key, ...r.values]), [['training.labelSmoothing', '0', '0.1']]);

    const h = await openWebview(browser, 'compare', { width: 1280, height: 1400 });
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    await h.send([{ type: 'comparison', comparison: view }]);
    await h.page.waitForSelector('[data-testid="legend-run"]');

    assert.equal(await h.page.locator('[data-testid="legend-run"]').count(), 2);
    // Four charts, each with step + 2 runs × (raw, smoothed) series, and as many points as both runs' steps.
    assert.deepEqual(await h.page.evaluate(chartHook<number[]>('chartSeriesCount')), [5, 5, 5, 5]);
    const steps = new Set([...view.runs[0].series.step, ...view.runs[1].series.step]).size;
    assert.deepEqual(await h.page.evaluate(chartHook<number[]>('chartPointCounts')), [steps, steps, steps, steps]);

    const row = h.page.locator('[data-testid="config-diff"] tr[data-key="training.labelSmoothing"] td');
    assert.deepEqual(await row.allTextContents(), ['training.labelSmoothing', '0', '0.1']);
    assert.match(await h.page.textContent('[data-testid="diff-summary"]') ?? '', /training\.labelSmoothing 0 vs 0\.1/);

    const evalText = await h.page.textContent('[data-testid="eval"]') ?? '';
    for (const figure of ['0.410', '0.520', '3/10', '5/10', '80.5', '60.3']) assert.ok(evalText.includes(figure), `eval table lacks ${figure}: ${evalText}`);

    const alertsA = h.page.locator(`[data-testid="run-alerts"][data-run="${view.runs[0].runId}"] [data-code]`);
    assert.deepEqual(await alertsA.evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))), ['health/discriminator-overpowering']);
    assert.equal(await h.page.locator(`[data-testid="run-alerts"][data-run="${view.runs[1].runId}"] [data-code]`).count(), 0);

    // Grids side by side at the latest common step, both loaded from the run folders under the CSP.
    const common = view.gridSteps;
    assert.ok(common.length >= 2, 'the runs share grid steps');
    const shown = () => h.page.locator('[data-testid="compare-grid"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-step'))));
    assert.deepEqual(await shown(), [common.at(-1), common.at(-1)]);
    await h.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="compare-grid"]')].every((i) => i.complete && i.naturalWidth > 0));
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'compare-runs.png'), fullPage: true });
    // The slider walks the common steps.
    await h.page.locator('[data-testid="grid-slider"]').fill('0');
    await waitFor(shown, (s) => s[0] === common[0] && s[1] === common[0], 'the grids at the first common step');

    // Live: run B appends steps; the host reads only what was appended and sends it; the page extends B's curve.
    const lastB = b.lastStep;
    const more = [1, 2, 3].map((k) => ({ event: 'step', step: lastB + k, lossD: 1, lossG: 1, dReal: 0.6, dFake: 0.4, ms: 10 }));
    fs.appendFileSync(path.join(runB, 'metrics.jsonl'), more.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const b2 = await readRun(runB, { since: b });
    const update = liveUpdate(view.runs[1].runId, b, b2, toUri);
    assert.ok(update);
    assert.deepEqual(update.series.step, [lastB + 1, lastB + 2, lastB + 3]);
    await h.send([{ type: 'compareLive', update }]);
    await waitFor(() => h.page.evaluate(chartHook<number[]>('lastSteps')), (s) => s[1] === lastB + 3, 'run B\'s model to reach the appended step');
    // The charts redraw on the next animation frame, so wait for the drawn points rather than read them once.
    await waitFor(() => h.page.evaluate(chartHook<number[]>('chartPointCounts')), (c) => c.every((n) => n === steps + 3), 'every chart to draw the 3 appended steps');

    // The page asks for a run's dashboard by its id, never by a path.
    await h.page.locator('[data-testid="legend-run"] vscode-button').first().click();
    const posted = await waitFor(h.posted, (p) => p.some((m) => m.type === 'openDashboard'), 'an openDashboard message');
    assert.deepEqual(posted.find((m) => m.type === 'openDashboard'), { type: 'openDashboard', runId: view.runs[0].runId });
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
  });
});

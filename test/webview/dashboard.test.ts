/**
 * The dashboard bundle in headless Chromium, fed a run folder the way the extension host feeds it
 * (readRunHistory for a restored dashboard, liveEventMessages for a live one).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import type { HostToWebview, RunSummary } from '../../src/protocol';
import type { TrainEvent } from '../../src/runtime/events';
import { readRunHistory } from '../../src/runtime/runs';
import { liveEventMessages } from '../../src/extension/views/messages';
import { ARTIFACTS, fixtureRunDir, launch, openWebview, toUri, waitFor, type Harness } from './harness';

const { dir: RUN_DIR } = fixtureRunDir();

function allEvents(): TrainEvent[] {
  return fs.readFileSync(path.join(RUN_DIR, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TrainEvent);
}

/** What the host sends a restored dashboard: the run read back from its folder, grids as URIs. */
async function restoredInit(): Promise<HostToWebview> {
  const folder = await readRunHistory(RUN_DIR);
  const run: RunSummary = { ...folder.summary, grids: folder.summary.grids?.map((g) => ({ ...g, uri: toUri(g.file) })) };
  return { type: 'init', run, history: folder.history, problems: folder.problems };
}

/** The PNG of a samples event decoded to pixels, as the live trainer hands them over (GridImage). */
function withPixels(e: TrainEvent): TrainEvent {
  if (e.event !== 'samples') return e;
  // The recording's absolute paths point where it was made; its PNGs now live in the fixture folder.
  const file = path.join(RUN_DIR, 'samples', path.basename(e.file));
  if (!fs.existsSync(file)) return e;
  const png = PNG.sync.read(fs.readFileSync(file));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) rgb.set(png.data.subarray(4 * i, 4 * i + 3), 3 * i);
  return { ...e, grid: { width: png.width, height: png.height, channels: 3, data: rgb } };
}

async function nonBlankPixels(h: Harness): Promise<number> {
  return h.page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="sample-grid"]')!;
    if (c.width < 2) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] > 16 || d[i + 1] > 16 || d[i + 2] > 16)) n++;
    return n;
  });
}

const counts = (h: Harness) => h.page.evaluate(() => (window as unknown as { __dcgan: { chartPointCounts(): Record<string, number> } }).__dcgan.chartPointCounts());

describe('dashboard webview', () => {
  let browser: Browser;
  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launch();
  });
  after(async () => { await browser?.close(); });

  it('restores a run from its folder: charts hold its points, the grid is drawn, no CSP violation', async () => {
    const h = await openWebview(browser, 'dashboard');
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const init = await restoredInit();
    await h.send([init]);
    const history = (init as Extract<HostToWebview, { type: 'init' }>).history;
    const stepCount = history.filter((e) => e.event === 'step').length;
    assert.ok(stepCount > 0, 'the fixture has step events');
    const c = await waitFor(() => counts(h), (c) => c.losses > 0, 'chart points');
    // Every chart holds the run's steps (at most two x positions per bucket, and never more than the budget).
    assert.ok(c.losses >= Math.min(stepCount, 500) && c.losses <= 2000, `losses chart holds ${c.losses} points for ${stepCount} steps`);
    assert.equal(c.d, c.losses);
    assert.equal(c.ms, c.losses);
    const drawn = await waitFor(() => nonBlankPixels(h), (n) => n > 100, 'a drawn sample grid');
    assert.ok(drawn > 100, `grid canvas has ${drawn} non-blank pixels`);
    const backend = await h.page.textContent('[data-testid="backend"]');
    assert.match(backend ?? '', /wasm|tensorflow|cpu/);
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-restored.png'), fullPage: true });
    assert.deepEqual(h.cspViolations, [], 'the page runs under the extension\'s CSP without violations');
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
  });

  it('follows a live run: every streamed step reaches the charts and each grid arrives as pixels', async () => {
    const h = await openWebview(browser, 'dashboard');
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const events = allEvents();
    const start = events.find((e) => e.event === 'start');
    assert.ok(start && start.event === 'start');
    const run: RunSummary = { runId: start.runId, runDir: RUN_DIR, configFile: start.configFile, status: 'running', live: true, grids: [] };
    await h.send([{ type: 'init', run, history: [], problems: [] }]);
    // Mid-run: stream the first 60% and stop there, as a dashboard sees a run still training.
    const cut = Math.floor(events.length * 0.6);
    // The fixture predates training.generatorAverage and the trainer's itPerSecond: its start and step events get
    // them as a run of today has them.
    const midRun = events.slice(0, cut).filter((e) => e.event !== 'end').map((e) =>
      e.event === 'start' ? { ...e, config: { ...(e.config as object), training: { ...(e.config as { training: object }).training, generatorAverage: 0.999 } } }
        : e.event === 'step' && e.step > 1 ? { ...e, itPerSecond: 1000 / e.ms } : e);
    const messages = midRun.flatMap((e) => liveEventMessages(run.runId, withPixels(e)));
    for (let i = 0; i < messages.length; i += 200) await h.send(messages.slice(i, i + 200));
    const steps = midRun.filter((e) => e.event === 'step').length;
    const raw = await waitFor(() => h.page.evaluate(() => (window as unknown as { __dcgan: { rawStepCount(): number } }).__dcgan.rawStepCount()), (n) => n === steps, `${steps} raw steps`);
    assert.equal(raw, steps);
    const c = await waitFor(() => counts(h), (c) => c.losses > 0, 'chart points');
    assert.ok(c.losses <= 2000 && c.losses >= Math.min(steps, 500), `${c.losses} chart points for ${steps} steps`);
    const samples = midRun.filter((e) => e.event === 'samples');
    if (samples.length > 0) {
      const last = samples[samples.length - 1].step;
      await waitFor(() => h.page.evaluate(() => (window as unknown as { __dcgan: { shownGridStep(): number | undefined } }).__dcgan.shownGridStep()), (s) => s === last, `the grid of step ${last}`);
      assert.ok((await nonBlankPixels(h)) > 100, 'the live grid is drawn from pixels');
    }
    const status = await h.page.textContent('[data-testid="status"]');
    assert.match(status ?? '', /it\/s · ETA/);
    assert.equal(await h.page.textContent('[data-testid="grid-source"]'), 'From the generator\'s weight average (decay 0.999).');
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-mid-run.png'), fullPage: true });
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
    await h.page.close();
  });
});

describe('dashboard controls', () => {
  let browser: Browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  it('a remedy button posts applyFix naming only the run, the code and the fix\'s index; Stop posts stop; the grid slider state survives a reload', async () => {
    const h = await openWebview(browser, 'dashboard');
    await waitFor(h.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message');
    const init = (await restoredInit()) as Extract<HostToWebview, { type: 'init' }>;
    // A live run, so that Stop is enabled.
    // Problems found before step 1 (dataset lint) reach the dashboard in `init.problems`, as the host sends them.
    const cliEvents = path.join(RUN_DIR, 'cli-events.jsonl');
    const streamed = fs.existsSync(cliEvents) ? fs.readFileSync(cliEvents, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TrainEvent) : init.history;
    const alert = [...init.history, ...streamed].find((e) => e.event === 'problem' && /^(health|data)\//.test(e.code) && (e.fixes?.length ?? 0) > 0);
    assert.ok(alert && alert.event === 'problem', 'the fixture has a health or data alert with a remedy');
    const { event: _e, ...problem } = alert;
    await h.send([{ ...init, run: { ...init.run, status: 'running', live: true, configFile: init.run.configFile ?? path.join(RUN_DIR, 'dcgan.json') }, history: init.history.filter((e) => e.event !== 'end'), problems: [problem] }]);
    const fix = alert.fixes![0];
    await h.page.click(`[data-testid="alerts"] [data-code="${alert.code}"] .fix-button[data-fix="${fix.title.replace(/"/g, '\\"')}"]`);
    const applied = await waitFor(h.posted, (p) => p.some((m) => m.type === 'applyFix'), 'an applyFix message');
    // Issue 12, finding 1: the page names which fix, never what to write where (no fix edits, no config file).
    const msg = applied.find((m) => m.type === 'applyFix');
    assert.deepEqual(msg, { type: 'applyFix', runId: init.run.runId, code: alert.code, fixIndex: 0 });

    await h.page.click('[data-testid="stop-button"]');
    const stopped = await waitFor(h.posted, (p) => p.some((m) => m.type === 'stop'), 'a stop message');
    assert.deepEqual(stopped.find((m) => m.type === 'stop'), { type: 'stop', runId: init.run.runId });

    // Move the grid slider to the first grid: the page saves it, and a reloaded page shows that grid again.
    const steps = await h.page.evaluate('window.__dcgan.gridSteps()') as number[];
    assert.ok(steps.length >= 2, 'the fixture has at least two grids');
    await h.page.locator('[data-testid="grid-slider"]').fill('0');
    const saved = await waitFor(h.savedState, (s) => (s as { gridStep?: number } | undefined)?.gridStep === steps[0], 'the saved grid step');
    await h.page.close();

    const again = await openWebview(browser, 'dashboard', { state: saved });
    await waitFor(again.posted, (p) => p.some((m) => m.type === 'ready'), 'the ready message after reload');
    await again.send([init]);
    await waitFor(() => again.page.evaluate('window.__dcgan.shownGridStep()'), (s) => s === steps[0], `the restored grid of step ${steps[0]}`);
    assert.equal(await again.page.inputValue('[data-testid="grid-slider"]'), '0');
    assert.deepEqual(again.cspViolations, []);
    await again.page.close();
  });
});

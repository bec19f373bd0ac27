// The first five minutes of a new user, in a real VS Code (code-server) driven by headless Chromium:
// the extension is installed, a workspace holds a tiny dcgan.json, the user presses F1, types "DCGAN: Train",
// presses Enter, and the dashboard shows a loss chart and a drawn sample grid while the run goes on. Later, a run
// fed [0, 255] raises a health alert, and its "Try these remedies" ranks the fixes in the Compare panel.
//
//   node --test test/ui/walkthrough.test.mjs        (after scripts/install-code-server.sh)
//
// The extension under test is the VSIX that `npm run package` builds (or $DCGAN_VSIX), installed with
// `code-server --install-extension`, so that what ships is what is tested (vsix.mjs). The VSIX is kept in
// .test-artifacts/ui/. Screenshots of each step go there too; look at them when a step fails. Each step is a
// subtest and needs the one before it, so after a failure the rest are skipped rather than failing with confusing
// timeouts.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findCodeServer, launchChromium, makeTmpRoot, root, startCodeServer, workbenchUrl } from '../host/code-server.mjs';
import { installVsix, listVsix, packageVsix, vsixProblems } from './vsix.mjs';

const artifacts = path.join(root, '.test-artifacts/ui');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;
// Seconds for the dashboard to show its first grid: a cold worker loads the wasm backend, then trains a tiny model.
const TRAIN_TIMEOUT_MS = Number(process.env.DCGAN_UI_TRAIN_TIMEOUT_S ?? 240) * 1000;

// Small enough to reach the first sample grid in seconds on 2 cores, big enough to be a real DCGAN run. Many
// steps, so that the run is still going when the dashboard shows up (its webview took 9 s to boot on an idle
// machine and 46 s on a loaded one) and the test sees it follow a live run; code-server's exit ends the run.
const TINY_CONFIG = `// A tiny run for the UI walk-through: samples every 5 steps so that the dashboard has a grid quickly.
{
  "data": { "path": "builtin:mnist", "limit": 512 },
  "model": { "latentDim": 16, "generatorFilters": 8, "discriminatorFilters": 8 },
  "training": { "batchSize": 16, "steps": 5000, "seed": 7 },
  "output": { "dir": "runs", "sampleEvery": 5, "checkpointEvery": 1000, "sampleCount": 16 }
}
`;

// The seed's failure, tiny, for "Try these remedies": the built-in digits (uint8) fed as stored, [0, 255], to a tanh
// generator. Written into the workspace only at that step (so that "DCGAN: Train" above finds one config).
const ALERT_CONFIG = `// [0, 255] into tanh: the discriminator overpowers within a few dozen steps.
{
  "data": { "path": "builtin:mnist", "limit": 256, "scale": "none" },
  "model": { "latentDim": 16, "generatorFilters": 8, "discriminatorFilters": 8 },
  "training": { "batchSize": 16, "steps": 300, "seed": 7 },
  "output": { "dir": "runs", "sampleEvery": 10, "checkpointEvery": 300, "sampleCount": 16 }
}
`;
// Seconds for the remedy trial (each fix alone and the baseline, 1 seed, 10 steps) to end and Compare to show it.
const TRIAL_TIMEOUT_MS = Number(process.env.DCGAN_UI_TRIAL_TIMEOUT_S ?? 360) * 1000;

// Two finished runs for Compare Runs, trained with the CLI before the workbench opens: the tiny config with
// training.labelSmoothing 0 and 0.1 and 3 steps each. Their configs live outside the workspace (so that "DCGAN:
// Train" still finds one config); their run folders inside it, where Compare Runs looks.
const PREP_CONFIG = (smoothing) => TINY_CONFIG.replace('"steps": 5000, "seed": 7', `"steps": 3, "seed": 7, "labelSmoothing": ${smoothing}`).replace('"sampleEvery": 5, "checkpointEvery": 1000', '"sampleEvery": 1, "checkpointEvery": 3');

function trainWithCli(config, runDir) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'dist/cli.js'), 'train', config, '--run', runDir], { timeout: 240_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dcgan-studio train ${config}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

/**
 * Gives the workbench keyboard focus without clicking into an editor: a webview (the dashboard) or the walkthrough
 * page may fill it, so click the active editor's tab.
 */
async function focusWorkbench(page) {
  // The active editor's tab is outside any webview; clicking it changes nothing. A webview with focus forwards F1 too.
  await page.locator('.part.editor .tab.active').first().click({ timeout: 3000 }).catch(() => {});
}

/** F1, type `title`, wait until it is the palette's top entry (contributions arrive after the workbench paints), Enter. */
async function runFromPalette(page, title) {
  const topLabel = () => page.locator('.quick-input-list .monaco-list-row').first().getAttribute('aria-label', { timeout: 2000 }).catch(() => null);
  let label = null;
  for (let attempt = 0; attempt < 10 && !label?.startsWith(title); attempt++) {
    if (attempt > 0) {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1500);
    }
    await focusWorkbench(page);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(title);
    await page.waitForTimeout(500);
    label = await topLabel();
  }
  assert.ok(label?.startsWith(title), `the top palette entry is ${JSON.stringify(label)}, not "${title}"`);
  await page.keyboard.press('Enter');
}

async function shoot(page, name) {
  await page?.screenshot({ path: path.join(artifacts, `${name}.png`) }).catch(() => {});
}

/** The webview's content lives two iframes deep (VS Code's host frame, then #active-frame): search every frame. */
async function findFrameWith(page, selector, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const handle = await frame.$(selector).catch(() => null);
      if (handle) return frame;
    }
    await page.waitForTimeout(500);
  }
  return null;
}

/** True when the canvas has more than one distinct colour: something was drawn on it, not just cleared. */
async function canvasInk(frame, selector) {
  return frame.$eval(selector, (c) => {
    const canvas = /** @type {HTMLCanvasElement} */ (c);
    if (canvas.width < 2 || canvas.height < 2) return { width: canvas.width, height: canvas.height, distinct: 0 };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length && seen.size < 64; i += 4 * 7) seen.add((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]);
    return { width: canvas.width, height: canvas.height, distinct: seen.size };
  });
}

/**
 * How many pixels of the canvas are drawn in the colour of a CSS variable (the dashboard strokes Loss_D in
 * --vscode-charts-blue). Axes and grid lines use other colours, so a count above a few dozen means a series line.
 */
async function pixelsInColour(frame, selector, cssVar, fallback) {
  return frame.$eval(selector, (c, [name, fb]) => {
    const canvas = /** @type {HTMLCanvasElement} */ (c);
    const hex = getComputedStyle(document.body).getPropertyValue(name).trim() || fb;
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
    if (!m || canvas.width < 2) return { colour: hex, count: 0 };
    const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16));
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 200 && Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24) count++;
    }
    return { colour: hex, count };
  }, [cssVar, fallback]);
}

const codeServer = findCodeServer();

describe('UI walk-through: F1 → DCGAN: Train → dashboard', { skip: codeServer ? false : 'code-server is not installed (bash scripts/install-code-server.sh)' }, () => {
  let tmpRoot;
  let server;
  let browser;
  let page;
  let dashboard;
  let broken = null;
  let firstGridStep = 0;
  let vsix;
  let extensionsDir;
  let workspace;
  let prepared;
  const serverLog = [];

  /** Runs one step; once a step has failed, the later ones are skipped with the reason. */
  const step = (name, fn, timeout = 60_000) =>
    it(name, { timeout }, async (t) => {
      if (broken) return t.skip(`needs "${broken}"`);
      try {
        await fn();
      } catch (err) {
        broken = name;
        await shoot(page, `failed-${name.replace(/\W+/g, '-')}`);
        throw err;
      }
    });

  before(() => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    tmpRoot = makeTmpRoot('dcgan-ui-');
    extensionsDir = path.join(tmpRoot, 'extensions');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    fs.writeFileSync(path.join(artifacts, 'code-server.log'), serverLog.join('\n'));
    if (tmpRoot && !process.env.DCGAN_KEEP_TMP) fs.rmSync(tmpRoot, { recursive: true, force: true });
  });

  step('npm run package builds a VSIX that holds what ships, and nothing else', async () => {
    if (process.env.DCGAN_VSIX) {
      vsix = path.resolve(process.env.DCGAN_VSIX);
      assert.ok(fs.existsSync(vsix), `DCGAN_VSIX=${process.env.DCGAN_VSIX}: no such file`);
    } else {
      vsix = path.join(artifacts, `${manifest.name}-${manifest.version}.vsix`);
      const ms = packageVsix(vsix);
      console.log(`# npm run package: ${(ms / 1000).toFixed(1)} s`);
    }
    const entries = listVsix(vsix);
    console.log(`# ${path.relative(root, vsix)}: ${(fs.statSync(vsix).size / 2 ** 20).toFixed(2)} MB, ${entries.length} entries`);
    assert.deepEqual(vsixProblems(vsix, manifest), []);
  }, 300_000);

  step('code-server --install-extension installs that VSIX', async () => {
    const { dir } = installVsix({ codeServer, file: vsix, extensionsDir, tmpRoot, extensionId, version: manifest.version });
    // The installed copy is the VSIX's, not a link back to this checkout.
    assert.equal(fs.realpathSync(dir).startsWith(root + path.sep), false, `${dir} resolves into ${root}`);
    assert.ok(fs.existsSync(path.join(dir, manifest.main)), `${manifest.main} is missing from the installed extension in ${dir}`);
  }, 150_000);

  step('the workbench opens the workspace', async () => {
    workspace = path.join(tmpRoot, 'my-gan');
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'dcgan.json'), TINY_CONFIG);
    const prep = path.join(tmpRoot, 'prep');
    fs.mkdirSync(prep, { recursive: true });
    prepared = Promise.all([['0', 'prep-smooth-0'], ['0.1', 'prep-smooth-01']].map(([v, name]) => {
      const config = path.join(prep, `${name}.dcgan.json`);
      fs.writeFileSync(config, PREP_CONFIG(v));
      return trainWithCli(config, path.join(workspace, 'runs', name));
    }));
    prepared.catch(() => {}); // awaited (and reported) by the Compare Runs step
    server = await startCodeServer({ codeServer, tmpRoot, extensionsDir, onLog: (l) => serverLog.push(l) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(workbenchUrl(server.base, server.port, workspace));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer lists the workspace's files once the remote file system is up.
    await page.getByRole('treeitem', { name: 'dcgan.json' }).waitFor({ timeout: 60_000 });
    await shoot(page, '01-workbench');
  }, 180_000);

  step('F1 finds "DCGAN: Train" in the command palette', async () => {
    // The palette lists the commands known when it opens; the extension's contributions arrive a moment after the
    // workbench paints. A user who sees no match closes the palette and tries again: so do we, a few times.
    const topLabel = () => page.locator('.quick-input-list .monaco-list-row').first().getAttribute('aria-label', { timeout: 2000 }).catch(() => null);
    let label = null;
    for (let attempt = 0; attempt < 10 && !label?.startsWith('DCGAN: Train'); attempt++) {
      if (attempt > 0) {
        await page.keyboard.press('Escape');
        await page.waitForTimeout(2000);
      }
      // A click gives the workbench keyboard focus, as the user's first click would.
      await page.locator('.monaco-workbench .part.editor').click();
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type('DCGAN: Train');
      await page.waitForTimeout(500);
      label = await topLabel();
    }
    await shoot(page, '02-palette');
    assert.match(label ?? '', /^DCGAN: Train\b/, 'the top palette entry is not "DCGAN: Train": is the command contributed with category "DCGAN" and title "Train"?');
  });

  step('Enter starts training and the dashboard opens', async () => {
    await page.keyboard.press('Enter');
    dashboard = await findFrameWith(page, '[data-testid=chart-losses]', 60_000);
    await shoot(page, '03-after-train');
    assert.ok(dashboard, 'no webview with [data-testid=chart-losses] appeared within 60 s of running "DCGAN: Train"');
  }, 90_000);

  step('the loss chart draws the run', async () => {
    const deadline = Date.now() + TRAIN_TIMEOUT_MS;
    let lossD;
    while (Date.now() < deadline) {
      lossD = await pixelsInColour(dashboard, '[data-testid=chart-losses] canvas', '--vscode-charts-blue', '#3794ff').catch((e) => ({ error: e.message }));
      if (lossD.count > 40) break;
      await page.waitForTimeout(1000);
    }
    await shoot(page, '04-chart');
    assert.ok(lossD?.count > 40, `no Loss_D line (the --vscode-charts-blue stroke) on the uPlot canvas in [data-testid=chart-losses]: ${JSON.stringify(lossD)}`);
  }, TRAIN_TIMEOUT_MS + 10_000);

  step('the sample grid is drawn from the run', async () => {
    const deadline = Date.now() + TRAIN_TIMEOUT_MS;
    let ink;
    while (Date.now() < deadline) {
      ink = await canvasInk(dashboard, '[data-testid=sample-grid]').catch((e) => ({ error: e.message }));
      // data-step is set when a grid from the run has been drawn, so a placeholder drawing does not count.
      ink.step = await dashboard.$eval('[data-testid=sample-grid]', (c) => c.getAttribute('data-step')).catch(() => null);
      if (ink.distinct > 2 && ink.width > 16 && ink.step) break;
      await page.waitForTimeout(1000);
    }
    await shoot(page, '05-dashboard');
    const grid = await dashboard.$('[data-testid=sample-grid]');
    await grid?.screenshot({ path: path.join(artifacts, '06-sample-grid.png') }).catch(() => {});
    assert.ok(ink?.distinct > 2 && ink.width > 16 && ink.step, `[data-testid=sample-grid] shows no grid from the run: ${JSON.stringify(ink)}`);
    firstGridStep = Number(ink.step);
  }, TRAIN_TIMEOUT_MS + 10_000);

  step('the dashboard follows the run: a later grid replaces the first', async () => {
    const deadline = Date.now() + TRAIN_TIMEOUT_MS;
    let latest = firstGridStep;
    while (Date.now() < deadline && latest <= firstGridStep) {
      await page.waitForTimeout(1000);
      latest = Number(await dashboard.$eval('[data-testid=sample-grid]', (c) => c.getAttribute('data-step')).catch(() => firstGridStep));
    }
    await shoot(page, '07-dashboard-later');
    assert.ok(latest > firstGridStep, `the grid stayed at step ${firstGridStep}: the dashboard stopped following the run`);
  }, TRAIN_TIMEOUT_MS + 10_000);

  step('F1 "DCGAN: Stop Training" ends the run, and the dashboard\'s badge and status both say "stopped"', async () => {
    await runFromPalette(page, 'DCGAN: Stop Training');
    let seen;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await page.waitForTimeout(500)) {
      seen = await dashboard.evaluate(() => ({
        badge: document.querySelector('[data-testid=status-badge]')?.textContent,
        status: document.querySelector('[data-testid=status]')?.textContent,
      })).catch((e) => ({ error: e.message }));
      if (/· stopped/.test(seen?.status ?? '')) break;
    }
    await shoot(page, '08-dashboard-stopped');
    assert.match(seen?.status ?? '', /· stopped/, `the dashboard's status never said "stopped": ${JSON.stringify(seen)}`);
    // The badge and the status line read the same run; the badge once kept "running" after the end (issue 20).
    await page.waitForTimeout(1000);
    const badge = await dashboard.$eval('[data-testid=status-badge]', (b) => b.textContent);
    assert.equal(badge, 'stopped');
  }, 90_000);

  step('the walkthrough "Get started with DCGAN Studio" opens, its steps\' media in a webview', async () => {
    await runFromPalette(page, 'Welcome: Open Walkthrough');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type('Get started with DCGAN Studio');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    // The step list is workbench DOM; each step's markdown media renders in a webview.
    for (const title of ['Create a config', 'Lint the dataset', 'Train', 'Watch the dashboard', 'Compare two runs', 'Export the generator']) {
      await page.locator('.getting-started-step .step-title', { hasText: title }).first().waitFor({ timeout: 30_000 });
    }
    const media = await findFrameWith(page, 'h1:has-text("A config is one file")', 30_000);
    await shoot(page, '08-walkthrough');
    assert.ok(media, 'the first step\'s markdown (media/walkthrough/new-config.md) is not in any webview frame');
    await page.locator('.getting-started-step .step-title', { hasText: 'Compare two runs' }).first().click();
    const compareMedia = await findFrameWith(page, 'h1:has-text("Did that knob help?")', 30_000);
    await shoot(page, '09-walkthrough-compare');
    assert.ok(compareMedia, 'the "Compare two runs" step\'s markdown (media/walkthrough/compare.md) is not in any webview frame');
  }, 120_000);

  step('the step\'s "Compare Runs" button opens Compare Runs, which overlays two runs in its webview', async () => {
    await prepared;
    // The walkthrough step's command button (its description's command: link) runs dcgan.compareRuns.
    await page.getByRole('button', { name: 'Compare Runs', exact: true }).first().click({ timeout: 10_000 });
    // The multi-select pick lists the workspace's runs: keep the two prepared ones and tick them.
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.type('prep-smooth');
    await page.waitForTimeout(500);
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await rows.count(), 2, 'the pick lists exactly the two prepared runs for "prep-smooth"');
    for (let i = 0; i < 2; i++) await rows.nth(i).locator('.quick-input-list-checkbox, input[type=checkbox], .monaco-custom-toggle').first().click();
    await shoot(page, '10-compare-pick');
    // OK, not Enter: with a checkbox focused, Enter toggles it.
    await page.locator('.quick-input-widget').getByRole('button', { name: 'OK' }).click();
    const compare = await findFrameWith(page, '[data-testid=legend-run]', 60_000);
    assert.ok(compare, 'no webview with [data-testid=legend-run] appeared after "DCGAN: Compare Runs"');
    await compare.waitForSelector('[data-testid=config-diff] tr[data-key="training.labelSmoothing"]', { timeout: 30_000 });
    assert.equal(await compare.locator('[data-testid=legend-run]').count(), 2);
    const cells = await compare.locator('[data-testid=config-diff] tr[data-key="training.labelSmoothing"] td').allTextContents();
    assert.deepEqual(cells.slice(1).sort(), ['0', '0.1']);
    await compare.waitForFunction(() => [...document.querySelectorAll('[data-testid=compare-grid]')].length === 2 && [...document.querySelectorAll('[data-testid=compare-grid]')].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 30_000 });
    await shoot(page, '11-compare-runs');
  }, 300_000);

  step('F1 "DCGAN: Export Generator" writes a TensorFlow.js model where the folder dialog says', async () => {
    const t0 = Date.now();
    await runFromPalette(page, 'DCGAN: Export Generator');
    // Which checkpoint: the pick lists the workspace's checkpoints, newest first; take the first.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'DCGAN: Export Generator' }).waitFor({ timeout: 30_000 });
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    // code-server's folder dialog (VS Code's simple file dialog) opens on the checkpoint's run folder: accept it.
    await page.locator('.quick-input-widget').getByRole('button', { name: 'Export Here' }).click({ timeout: 30_000 });
    let modelFile;
    for (const deadline = Date.now() + 60_000; !modelFile && Date.now() < deadline; await page.waitForTimeout(500)) {
      modelFile = fs.readdirSync(workspace, { recursive: true }).map((f) => path.join(workspace, String(f)))
        .find((f) => path.basename(f) === 'model.json' && fs.statSync(f).mtimeMs >= t0);
    }
    await shoot(page, '12-export-generator');
    assert.ok(modelFile, 'no model.json was written in the workspace after "DCGAN: Export Generator"');
    const model = JSON.parse(fs.readFileSync(modelFile, 'utf8'));
    assert.ok(model.modelTopology && model.weightsManifest?.length, `${modelFile} is not a TensorFlow.js model`);
    assert.equal(typeof model.userDefinedMetadata?.dcganStudio?.latentDim, 'number', 'the export names its latent size');
  }, 180_000);

  step('a run fed [0, 255] raises an alert; its "Try these remedies" runs a trial and Compare shows the ranking', async () => {
    // The walk-through's long run was stopped from F1 above ("DCGAN: Stop Training" is then off the palette), so the
    // trial has the two cores to itself.
    fs.writeFileSync(path.join(workspace, 'alert.dcgan.json'), ALERT_CONFIG);
    const item = page.getByRole('treeitem', { name: 'alert.dcgan.json' });
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    await page.locator('.tab.active', { hasText: 'alert.dcgan.json' }).waitFor({ timeout: 30_000 });
    // Train refuses the data (its check finds [0, 255] fed to tanh) and offers to train anyway, to watch it fail.
    await runFromPalette(page, 'DCGAN: Train');
    await page.getByRole('button', { name: 'Train Anyway' }).first().click({ timeout: 120_000 });
    const dashboard = await findFrameWith(page, '[data-testid=try-remedies]', 180_000);
    await shoot(page, '13-alert');
    assert.ok(dashboard, 'no dashboard showed a health alert with "Try these remedies" within 180 s of training alert.dcgan.json');
    await dashboard.locator('[data-testid=try-remedies]').first().click();
    // Steps, then seeds: a short trial.
    for (const value of ['10', '1']) {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill(value);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
    }
    const compare = await findFrameWith(page, '[data-testid=sweep-ranking] [data-testid=rank-row]', TRIAL_TIMEOUT_MS);
    await shoot(page, '14-remedy-ranking');
    assert.ok(compare, `the Compare panel did not show the trial's ranking within ${TRIAL_TIMEOUT_MS / 1000} s`);
    const rows = await compare.locator('[data-testid=rank-row]').allTextContents();
    console.log(`# remedy trial ranking: ${rows.map((r) => r.replace(/\s+/g, ' ').trim()).join(' | ')}`);
    assert.ok(rows.length >= 2, `the ranking lists the remedies and the baseline: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((r) => /baseline/.test(r)), 'the baseline is one of the ranked cells');
    const verdict = await compare.locator('[data-testid=verdict]').textContent();
    assert.match(verdict ?? '', /wins|No clear winner|no clear winner/, 'the page says whether there is a winner');
  }, TRIAL_TIMEOUT_MS + 420_000);
});

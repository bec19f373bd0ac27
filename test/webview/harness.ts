/**
 * Renders a webview bundle (dist/webview/*.js) in headless Chromium, under the same HTML and CSP that the
 * extension builds (src/extension/views/html.ts), and plays the extension host's part.
 *
 * `acquireVsCodeApi` is stubbed: the stub stands in for the VS Code webview host. It records what the page
 * posts and keeps what the page saves with setState, and the test sends host→webview messages with
 * window.postMessage, which is how VS Code delivers them to a webview too. Files are served from a fake origin
 * (https://webview.test) by request interception, so the page loads scripts and PNGs exactly as it would
 * from webview.cspSource.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview } from '../../src/protocol';
import { renderWebviewHtml } from '../../src/extension/views/html';
import { writeSyntheticRun } from './syntheticRun';

export const ROOT = path.resolve(__dirname, '../..');
export const ORIGIN = 'https://webview.test';
export const ARTIFACTS = path.join(ROOT, '.test-artifacts/webview');

/** The recorded run, or (until one is recorded) a clearly labelled synthetic one. */
export function fixtureRunDir(): { dir: string; synthetic: boolean } {
  const recorded = path.join(ROOT, 'test/fixtures/recorded-run');
  if (fs.existsSync(path.join(recorded, 'metrics.jsonl'))) return { dir: recorded, synthetic: false };
  console.warn('[webview tests] test/fixtures/recorded-run is missing: using a SYNTHETIC run folder');
  return { dir: writeSyntheticRun(path.join(ARTIFACTS, 'synthetic-run')), synthetic: true };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** VS Code's Dark+ (default dark) values of the variables the views use. */
const DARK_PLUS: Record<string, string> = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#ccccccb3',
  '--vscode-errorForeground': '#f48771',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-sideBar-background': '#252526',
  '--vscode-editorWidget-background': '#252526',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-widget-border': '#303031',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#1177bb',
  '--vscode-button-secondaryBackground': '#3a3d41',
  '--vscode-button-secondaryForeground': '#ffffff',
  '--vscode-button-secondaryHoverBackground': '#45494e',
  '--vscode-badge-background': '#4d4d4d',
  '--vscode-badge-foreground': '#ffffff',
  '--vscode-dropdown-background': '#3c3c3c',
  '--vscode-dropdown-foreground': '#f0f0f0',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-dropdown-listBackground': '#3c3c3c',
  '--vscode-panelTitle-activeForeground': '#e7e7e7',
  '--vscode-panelTitle-inactiveForeground': '#e7e7e799',
  '--vscode-panelTitle-activeBorder': '#e7e7e7',
  '--vscode-panel-background': '#1e1e1e',
  '--vscode-progressBar-background': '#0e70c0',
  '--vscode-editor-selectionBackground': '#264f78',
  '--vscode-editorError-foreground': '#f14c4c',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-inputValidation-errorBackground': '#5a1d1d',
  '--vscode-inputValidation-warningBackground': '#352a05',
  '--vscode-inputValidation-infoBackground': '#063b49',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
};

export interface Harness {
  page: Page;
  /** Messages the page posted to its host, in order. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** The last state the page saved with setState. */
  savedState(): Promise<unknown>;
  send(messages: HostToWebview[]): Promise<void>;
  cspViolations: string[];
  pageErrors: string[];
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.map': 'application/json' };

/** Grid pixels cross page.evaluate as base64 (structured data only) and become a Uint8Array in the page. */
function encode(messages: HostToWebview[]): unknown[] {
  return messages.map((m) => m.type === 'grid' && m.image.kind === 'pixels'
    ? { ...m, image: { ...m.image, data: { __u8: Buffer.from(m.image.data).toString('base64') } } }
    : m);
}

export async function openWebview(browser: Browser, bundle: 'dashboard' | 'samples' | 'compare', opts: { state?: unknown; width?: number; height?: number } = {}): Promise<Harness> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.exposeFunction('__reportCsp', (v: string) => cspViolations.push(v));
  const html = renderWebviewHtml({
    cspSource: ORIGIN,
    title: bundle,
    scriptUri: toUri(path.join(ROOT, 'dist/webview', `${bundle}.js`)),
    styleUris: [toUri(path.join(ROOT, 'dist/webview', `${bundle}.css`))],
  });
  const vars = Object.entries(DARK_PLUS);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const file = path.join('/', decodeURIComponent(url.pathname));
    const inRoot = file.startsWith(ROOT + path.sep) || file.startsWith(ARTIFACTS);
    if (!inRoot || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: MIME[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
  });
  // A string, not a function: tsx's transform would add helpers (__name) that do not exist in the page.
  await page.addInitScript(`(() => {
    // The stand-in for the VS Code webview host (see the file comment).
    const posted = [];
    let saved = ${JSON.stringify(opts.state ?? null)} ?? undefined;
    window.__stubHost = { posted, getSaved: () => saved };
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => { posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => saved,
      setState: (s) => { saved = JSON.parse(JSON.stringify(s)); return s; },
    });
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' ' + e.sourceFile + ':' + e.lineNumber);
    });
    // VS Code sets the theme's variables on the webview's root element; these are Dark+ (through the CSSOM,
    // which the page's CSP allows, as VS Code's own host code is not under that CSP).
    const setVars = () => { for (const [k, v] of ${JSON.stringify(vars)}) document.documentElement.style.setProperty(k, v); };
    if (document.documentElement) setVars();
    else new MutationObserver((_, obs) => { if (document.documentElement) { obs.disconnect(); setVars(); } }).observe(document, { childList: true });
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add('vscode-dark'));
  })();`);
  await page.goto(`${ORIGIN}/index.html`);
  return {
    page,
    cspViolations,
    pageErrors,
    posted: () => page.evaluate('window.__stubHost.posted.slice()') as Promise<{ type: string; [k: string]: unknown }[]>,
    savedState: () => page.evaluate('window.__stubHost.getSaved()'),
    send: (messages) => page.evaluate((msgs) => {
      for (const m of msgs as { type: string; image?: { data?: { __u8?: string } } }[]) {
        if (m.image?.data?.__u8) {
          const bin = atob(m.image.data.__u8);
          const u8 = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
          (m.image as { data: unknown }).data = u8;
        }
        window.postMessage(m, '*');
      }
    }, encode(messages)),
  };
}

/** Webview URIs of a run's files on the fake origin. */
export function toUri(file: string): string {
  return `${ORIGIN}${file.split(path.sep).map(encodeURIComponent).join('/')}`;
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const t0 = Date.now();
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await fn();
  }
  return last;
}

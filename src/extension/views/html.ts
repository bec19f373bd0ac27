/**
 * The HTML shell of every webview, with its Content Security Policy, built in this one helper.
 *
 * The policy: nothing by default; scripts only with this page's nonce (a fresh crypto-random one per render);
 * styles from the extension's bundle (uPlot's CSS and ours, emitted as dist/webview/<name>.css) plus nonce'd
 * ones; images from the webview resource origin (the run folder's PNGs) and data:/blob: URLs; fonts from the
 * bundle. No 'unsafe-inline': uPlot sizes and positions its elements through the CSSOM (`el.style.width = …`),
 * which CSP does not govern; the toolkit's components style their shadow roots with constructable
 * stylesheets (adoptedStyleSheets), which CSP does not govern either, and the one <style> element the toolkit
 * adds (a :focus-visible probe) takes the nonce from <meta property="csp-nonce">, FAST's documented hook. test/webview/ loads the pages under this
 * very policy and fails on any securitypolicyviolation event, so a dependency that starts needing more is caught.
 *
 * Imports only types from vscode, so the webview tests can render the same HTML outside VS Code.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin the webview loads extension and run files from. */
  cspSource: string;
  title: string;
  /** Webview URI of the bundle script (dist/webview/<name>.js). */
  scriptUri: string;
  /** Webview URIs of stylesheets (dist/webview/<name>.css). */
  styleUris: readonly string[];
  /** Fixed nonce for tests; otherwise a fresh random one. */
  nonce?: string;
}

/** 128 bits from the OS CSPRNG, base64: unguessable by content the page loads. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderWebviewHtml(opts: WebviewHtmlOptions): string {
  const nonce = opts.nonce ?? makeNonce();
  const csp = contentSecurityPolicy(opts.cspSource, nonce);
  const styles = opts.styleUris.map((u) => `  <link rel="stylesheet" href="${escapeAttr(u)}" nonce="${nonce}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta property="csp-nonce" content="${nonce}">
${styles}
  <title>${escapeAttr(opts.title)}</title>
</head>
<body>
  <script nonce="${nonce}" src="${escapeAttr(opts.scriptUri)}"></script>
</body>
</html>`;
}

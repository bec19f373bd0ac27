/**
 * The one base of every webview host (the dashboard, Compare Runs and the side view), as
 * vscode-pull-request-github's webview.ts does it: the page's HTML with its Content Security Policy (html.ts), a
 * receive that checks every message with the page's own guard and logs, naming the page, what it drops, a typed
 * post, and one store of disposables. Each page adds only what is its own: what it sends, and what it does with
 * the messages its page may send.
 */
import * as vscode from 'vscode';
import { isToHostOf, type PageMessages, type WebviewPageName } from '../../protocol';
import { renderWebviewHtml } from './html';

type ToHost<P extends WebviewPageName> = PageMessages[P]['toHost'];
type ToWebview<P extends WebviewPageName> = PageMessages[P]['toWebview'];

export abstract class WebviewPage<P extends WebviewPageName> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private readonly isToHost: (x: unknown) => x is ToHost<P>;
  private webview: vscode.Webview | undefined;

  protected constructor(
    private readonly page: P,
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: Pick<vscode.LogOutputChannel, 'warn'>,
  ) {
    this.isToHost = isToHostOf(page);
  }

  /** Connects the page's webview (a panel's now, a side view's when VS Code resolves it): messages go to receive. */
  protected attachWebview(webview: vscode.Webview): void {
    this.webview = webview;
    this.disposables.push(webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
  }

  /** The page's script and stylesheet (dist/webview/<page>.js, .css) under html.ts' policy. */
  protected renderPage(title: string): void {
    const webview = this.webview;
    if (!webview) return;
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      title,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${this.page}.js`)).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${this.page}.css`)).toString()],
    });
  }

  /**
   * A message from the page (or from a test, the same way): checked with the page's guard, then handled. Anything
   * else is dropped and logged, naming the page. Resolves with the direct answer the page was sent, if any.
   */
  async receive(m: unknown): Promise<ToWebview<P> | undefined> {
    if (!this.isToHost(m)) {
      this.log.warn(`${this.page}: ignored a message that is not in its protocol: ${JSON.stringify(m)?.slice(0, 300)}`);
      return undefined;
    }
    return this.onMessage(m);
  }

  /** Handles a checked message; resolves with the direct answer the page was sent, if any (the tests read it). */
  protected abstract onMessage(m: ToHost<P>): Promise<ToWebview<P> | undefined>;

  /** Sends the page a message of its own union; false when there is no webview (yet) or it did not take it. */
  protected post(m: ToWebview<P>): Thenable<boolean> {
    return this.webview?.postMessage(m) ?? Promise.resolve(false);
  }

  /** A webview URI for a file the page may load (inside its localResourceRoots). */
  protected toUri(file: string): string {
    return this.webview?.asWebviewUri(vscode.Uri.file(file)).toString() ?? '';
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

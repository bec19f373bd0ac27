/**
 * The one place a webview talks to its host. `acquireVsCodeApi` may be called only once per page, so this
 * module calls it lazily and hands out a typed wrapper: outgoing messages must be the page's own (`DashboardToHost`, …),
 * incoming ones are checked with the page's guard before any view code sees them.
 */
import { isToWebviewOf, type PageMessages, type WebviewPageName } from '../../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host<S, P extends WebviewPageName> {
  post(message: PageMessages[P]['toHost']): void;
  /** The state saved by `setState`, if the view was hidden or restored; validated by the caller's guard. */
  getState(): S | undefined;
  setState(state: S): void;
  onMessage(handler: (message: PageMessages[P]['toWebview']) => void): () => void;
}

let api: VsCodeApi | undefined;

/** The page `page`'s side of its protocol: what it may send, and a guard that drops (and logs) anything not its own. */
export function connectHost<S, P extends WebviewPageName>(page: P, isState: (x: unknown) => x is S): Host<S, P> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  const isMine = isToWebviewOf(page);
  return {
    post: (message) => vscode.postMessage(message),
    getState: () => {
      const s = vscode.getState();
      return isState(s) ? s : undefined;
    },
    setState: (state) => { vscode.setState(state); },
    onMessage: (handler) => {
      const listener = (e: MessageEvent): void => {
        if (isMine(e.data)) handler(e.data);
        else console.warn(`[dcgan] ${page}: ignored a message that is not in its protocol:`, e.data);
      };
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
  };
}

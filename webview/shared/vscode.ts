/**
 * The one place a webview talks to its host. `acquireVsCodeApi` may be called only once per page, so this
 * module calls it lazily and hands out a typed wrapper: outgoing messages must be `WebviewToHost`, incoming
 * ones are checked with the protocol's guard before any view code sees them.
 */
import { isHostToWebview, type HostToWebview, type WebviewToHost } from '../../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host<S> {
  post(message: WebviewToHost): void;
  /** The state saved by `setState`, if the view was hidden or restored; validated by the caller's guard. */
  getState(): S | undefined;
  setState(state: S): void;
  onMessage(handler: (message: HostToWebview) => void): () => void;
}

let api: VsCodeApi | undefined;

export function connectHost<S>(isState: (x: unknown) => x is S): Host<S> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  return {
    post: (message) => vscode.postMessage(message),
    getState: () => {
      const s = vscode.getState();
      return isState(s) ? s : undefined;
    },
    setState: (state) => { vscode.setState(state); },
    onMessage: (handler) => {
      const listener = (e: MessageEvent): void => {
        if (isHostToWebview(e.data)) handler(e.data);
        else console.warn('[dcgan] ignored a message that is not in the host→webview protocol:', e.data);
      };
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
  };
}

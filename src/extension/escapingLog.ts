/**
 * The "DCGAN Studio" output channel, escaping control characters in everything logged. Log lines carry text from
 * files (a run id, a dataset's file names in lint findings, messages of a run folder's events), which may hold
 * terminal escapes or bidi overrides; runtime/text.ts's escapeControls turns them into visible \uXXXX. Newlines
 * stay (stack traces). Everything else is the channel's own.
 */
import type * as vscode from 'vscode';
import { escapeControls } from '../runtime/text';

const escape = (x: unknown): unknown => {
  if (typeof x === 'string') return escapeControls(x, { keepNewlines: true });
  if (x instanceof Error) {
    const e = new Error(escapeControls(x.message, { keepNewlines: true }));
    e.name = x.name;
    e.stack = x.stack === undefined ? undefined : escapeControls(x.stack, { keepNewlines: true });
    return e;
  }
  return x;
};

const WRITERS: ReadonlySet<PropertyKey> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

export function escapingLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (!WRITERS.has(prop)) return value.bind(target);
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(escape));
    },
  });
}

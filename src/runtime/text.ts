/**
 * Text that came from a file (a run id, a config value, a problem message, a file name) before it reaches a
 * terminal, a log, a path or a long-lived record. Files come from cloned repositories, so such text may carry
 * terminal escape sequences (OSC 52 writes the clipboard, cursor moves forge output), bidi overrides that reorder
 * what is shown, path separators, or megabytes behind a short-looking slice.
 */

/**
 * What a terminal (or a reader of a log) may act on rather than show: C0 controls, DEL, C1 controls (U+0080–U+009F,
 * which some terminals take as CSI and OSC), the bidi embeddings, overrides, isolates and marks, and the line and
 * paragraph separators. Newline and tab are matched too; escapeControls keeps them on request.
 */
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Replaces each dangerous character with its \uXXXX escape. That form is also a valid JSON string escape, so JSON
 * text passed through here parses back to the same values. `keepNewlines` leaves \n and \t alone (for whole
 * blocks of output that we laid out; a string taken from a file is escaped without it).
 */
export function escapeControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(DANGEROUS, (c) => (options.keepNewlines && (c === '\n' || c === '\t') ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * At most `max` characters of `text`, as a string of its own. String.prototype.slice returns a view that keeps
 * the whole original alive in V8 (a 4,000-character cut of a 1 MB message kept the megabyte); the copy does not.
 */
export function clip(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  return Buffer.from(cut, 'utf8').toString('utf8');
}

/**
 * A name taken from a file (a run id, a checkpoint's runId) reduced to something safe to put into a file name:
 * its last path segment, letters, digits, '.', '_' and '-' only, no leading dot, at most 80 characters.
 * `fallback` when nothing usable is left ('..', '', '/').
 */
export function safeBaseName(name: string, fallback = 'run'): string {
  const last = name.split(/[/\\]/).filter((s) => s !== '').at(-1) ?? '';
  const cleaned = last.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 80);
  return cleaned === '' || /^[._-]*$/.test(cleaned) ? fallback : cleaned;
}

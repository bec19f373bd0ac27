/**
 * One shape for everything that can be wrong: config errors, dataset findings and training-health alerts.
 * The extension turns problems into diagnostics and quick fixes, the CLI prints them, the dashboard shows them.
 * Quick fixes key on `code`, so codes are stable API: add new ones, never rename.
 */

export type Severity = 'error' | 'warning' | 'info';

/** A path into the config document, e.g. ["training", "learningRate", "discriminator"]. */
export type ConfigPath = (string | number)[];

/** One edit of the config: set `path` to `value`, or remove the key when `value` is undefined. */
export interface ConfigEdit {
  path: ConfigPath;
  value?: unknown;
}

/** A remedy the user can apply with one click: a set of config edits. */
export interface Fix {
  title: string;
  edits: ConfigEdit[];
  /** The preferred fix is applied by "Fix all" and shown first. */
  isPreferred?: boolean;
}

export interface ProblemLocation {
  /** Config key the problem belongs to; the extension maps it to a text range in dcgan.json. */
  path?: ConfigPath;
  /** 1-based line and column, when known from a parse error. */
  line?: number;
  column?: number;
}

export type ProblemCode =
  // config
  | 'config/parse'
  | 'config/schema'
  | 'config/data-path-missing'
  | 'config/shape-mismatch'
  | 'config/not-found'
  // model shape
  | 'model/checkerboard'
  // dataset lint
  | 'data/out-of-range'
  | 'data/partial-range'
  | 'data/odd-range'
  | 'data/non-finite'
  | 'data/constant-images'
  | 'data/mixed-sizes'
  | 'data/channel-mismatch'
  | 'data/too-few-images'
  | 'data/unreadable'
  | 'data/empty'
  | 'data/too-large'
  | 'data/cache'
  // backend
  | 'backend/fallback'
  | 'backend/unavailable'
  // training health
  | 'health/discriminator-overpowering'
  | 'health/vanishing-generator-gradient'
  | 'health/mode-collapse'
  | 'health/non-finite'
  | 'health/oscillation';

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  /** One or two sentences: what is wrong, why it matters, what to do. */
  message: string;
  /** Absolute path of the file the problem is in (config, dataset file, image). */
  file?: string;
  location?: ProblemLocation;
  fixes?: Fix[];
  /** Training step, for health alerts. */
  step?: number;
  /** Ordered likely causes, most likely first (health alerts). */
  causes?: string[];
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** A human one-liner for terminals and logs: "error data/out-of-range: ... (file)". */
export function formatProblem(p: Problem): string {
  const where = p.file ? ` (${p.file}${p.location?.line ? `:${p.location.line}` : ''}${p.location?.path ? ` at ${p.location.path.join('.')}` : ''})` : p.location?.path ? ` (at ${p.location.path.join('.')})` : '';
  return `${p.severity} ${p.code}: ${p.message}${where}`;
}

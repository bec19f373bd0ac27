/**
 * A small argument parser with errors a user can act on. No framework: four commands with a handful of flags
 * each do not need one, and a hand-written parser lets every error name the flag, the bad value and the fix.
 */

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export type FlagType = 'boolean' | 'string' | 'int';

export interface FlagSpec {
  name: string;
  type: FlagType;
  short?: string;
  /** Shown in help after the flag, e.g. "N" in "--steps N". */
  valueName?: string;
  description: string;
  /** Smallest accepted value for int flags. */
  min?: number;
  /** Accepted values for string flags. */
  choices?: readonly string[];
  /** The flag may be given several times; its value is then the list, in order (string flags only). */
  repeatable?: boolean;
}

export interface PositionalSpec {
  name: string;
  optional?: boolean;
  /** The last positional may take any number of values (RUN_DIR...). */
  variadic?: boolean;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: FlagSpec[];
  /** Extra lines printed at the end of --help (examples, exit codes). */
  notes?: string[];
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

/** Flags every command accepts. */
export const COMMON_FLAGS: FlagSpec[] = [
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help.' },
  { name: 'debug', type: 'boolean', description: 'Print stack traces on errors.' },
];

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flagSpecs = [...spec.flags, ...COMMON_FLAGS];
  const byName = new Map(flagSpecs.map((f) => [f.name, f]));
  const byShort = new Map(flagSpecs.filter((f) => f.short).map((f) => [f.short!, f]));
  const flags: FlagValues = {};
  const positionals: string[] = [];
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let flag: FlagSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      flag = byName.get(name);
      // --no-json style negation is not worth the ambiguity; say what exists instead.
      if (!flag) throw new UsageError(unknownFlagMessage(spec, `--${name}`, flagSpecs), spec.name);
    } else {
      name = arg.slice(1);
      flag = byShort.get(name);
      if (!flag) throw new UsageError(unknownFlagMessage(spec, arg, flagSpecs), spec.name);
    }
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${flag.name} takes no value (got "--${flag.name}=${inline}").`, spec.name);
      flags[flag.name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      raw = argv[i + 1];
      // A following flag is not a value: "--out --json" almost certainly forgot the folder.
      if (raw === undefined || (raw.startsWith('-') && raw !== '-' && !/^-\d/.test(raw))) {
        throw new UsageError(`--${flag.name} needs a value: --${flag.name} ${flag.valueName ?? 'VALUE'}.`, spec.name);
      }
      i++;
    }
    const value = convert(spec, flag, raw);
    if (flag.repeatable) flags[flag.name] = [...((flags[flag.name] as string[] | undefined) ?? []), String(value)];
    else flags[flag.name] = value;
  }

  if (flags.help) return { flags, positionals };
  const required = spec.positionals.filter((p) => !p.optional).length;
  if (positionals.length < required) {
    const missing = spec.positionals[positionals.length];
    throw new UsageError(`missing ${missing.name.toUpperCase()}: ${missing.description}`, spec.name);
  }
  if (positionals.length > spec.positionals.length && !spec.positionals.at(-1)?.variadic) {
    const extra = positionals.slice(spec.positionals.length);
    throw new UsageError(
      spec.positionals.length === 0
        ? `"${spec.name}" takes no positional arguments (got ${extra.map((e) => JSON.stringify(e)).join(', ')}).`
        : `too many arguments: ${extra.map((e) => JSON.stringify(e)).join(', ')}. "${spec.name}" takes ${spec.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ')}.`,
      spec.name,
    );
  }
  return { flags, positionals };
}

function convert(spec: CommandSpec, flag: FlagSpec, raw: string): string | number {
  if (flag.type === 'int') {
    if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${flag.name} must be a whole number, got "${raw}".`, spec.name);
    const n = Number(raw);
    if (flag.min !== undefined && n < flag.min) throw new UsageError(`--${flag.name} must be at least ${flag.min}, got ${n}.`, spec.name);
    return n;
  }
  if (flag.choices && !flag.choices.includes(raw)) {
    throw new UsageError(`--${flag.name} must be one of ${flag.choices.join(', ')}; got "${raw}".${didYouMean(raw, flag.choices)}`, spec.name);
  }
  return raw;
}

function unknownFlagMessage(spec: CommandSpec, given: string, flags: FlagSpec[]): string {
  const bare = given.replace(/^-+/, '');
  const hint = didYouMean(bare, flags.map((f) => f.name), '--');
  return `unknown option ${given} for "${spec.name}".${hint} Run "dcgan-studio ${spec.name} --help" for the options.`;
}

export function didYouMean(given: string, candidates: readonly string[], prefix = ''): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(given) && given.length >= 2 ? 0.5 : editDistance(given.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(given.length / 3)) ? ` Did you mean ${prefix}${best}?` : '';
}

/** Optimal-string-alignment distance: a swapped pair of letters ("wsam") counts as one typo. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

export function formatHelp(spec: CommandSpec): string {
  const usage = [
    `dcgan-studio ${spec.name}`,
    ...spec.positionals.map((p) => `${p.optional ? `[${p.name}]` : p.name}${p.variadic ? '...' : ''}`),
    ...spec.flags.map((f) => `[--${f.name}${f.type === 'boolean' ? '' : ` ${f.valueName ?? 'VALUE'}`}]${f.repeatable ? '...' : ''}`),
  ].join(' ');
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [p.name, p.description]),
    ...[...spec.flags, ...COMMON_FLAGS].map((f): [string, string] => [
      `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.type === 'boolean' ? '' : ` ${f.valueName ?? 'VALUE'}`}`,
      f.description + (f.choices ? ` (${f.choices.join(' | ')})` : ''),
    ]),
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `${spec.summary}`,
    '',
    `Usage: ${usage}`,
    '',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}

/**
 * Loads dcgan.json (JSON with comments), validates it against schema.json with ajv, fills defaults,
 * and reports every problem with the file, the key and the line.
 */
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import * as jsonc from 'jsonc-parser';
import schema from './schema.json';
import type { DcganConfig } from './types';
import type { ConfigPath, Problem } from '../problem';
import { isInside, OutputPathError } from '../outputFiles';
import { readFileBounded } from '../safeFs';

export const BUILTIN_PREFIX = 'builtin:';
export const CONFIG_FILE_NAMES = ['dcgan.json'];
export const CONFIG_FILE_GLOB = '**/{dcgan.json,*.dcgan.json}';

export function isConfigFileName(file: string): boolean {
  const base = path.basename(file);
  return base === 'dcgan.json' || base.endsWith('.dcgan.json');
}

export interface LoadedConfig {
  /** Defaults filled in; undefined when the document cannot be parsed or does not validate. */
  config?: DcganConfig;
  problems: Problem[];
  /** Absolute path of the config file, when it came from a file. */
  file?: string;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(doc: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator(doc) ? [] : [...(validator.errors ?? [])];
}

/** Parses and validates config text. `file` is used for messages and to resolve relative paths. */
export function parseConfig(text: string, file?: string): LoadedConfig {
  const baseDir = file ? path.dirname(path.resolve(file)) : process.cwd();
  const name = file ? path.basename(file) : 'config';
  const problems: Problem[] = [];
  const parseErrors: jsonc.ParseError[] = [];
  const doc = jsonc.parse(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  for (const e of parseErrors) {
    const { line, column } = lineColumn(text, e.offset);
    problems.push({
      code: 'config/parse',
      severity: 'error',
      message: `${name}:${line}:${column}: ${jsonc.printParseErrorCode(e.error)}. Fix the JSON syntax at this position.`,
      file: file && path.resolve(file),
      location: { line, column },
    });
  }
  if (problems.length > 0) return { problems, file: file && path.resolve(file), baseDir };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.push({ code: 'config/schema', severity: 'error', message: `${name}: the config must be a JSON object, like {"data": {"path": "builtin:mnist"}}.`, file: file && path.resolve(file), location: { line: 1, column: 1 } });
    return { problems, file: file && path.resolve(file), baseDir };
  }
  const tree = jsonc.parseTree(text);
  const errors = simplifyErrors(validate(doc));
  for (const e of errors) {
    const keyPath = instancePathToKeys(e.instancePath);
    const fullPath = e.keyword === 'additionalProperties' ? [...keyPath, String(e.params.additionalProperty)] : keyPath;
    const node = tree ? jsonc.findNodeAtLocation(tree, fullPath) ?? jsonc.findNodeAtLocation(tree, keyPath) : undefined;
    const { line, column } = node ? lineColumn(text, node.offset) : { line: 1, column: 1 };
    problems.push({
      code: 'config/schema',
      severity: 'error',
      message: `${name}:${line}: ${describeError(e, fullPath)}`,
      file: file && path.resolve(file),
      location: { path: fullPath, line, column },
    });
  }
  if (problems.length > 0) return { problems, file: file && path.resolve(file), baseDir };
  return { config: doc as DcganConfig, problems, file: file && path.resolve(file), baseDir };
}

/** A dcgan.json is a few kilobytes; a larger one is not a config (a link to /dev/zero, a dataset named by mistake). */
export const MAX_CONFIG_BYTES = 1 << 20;

/** A config file's text, read through the bounded reader: a regular file of at most MAX_CONFIG_BYTES. */
export function readConfigText(file: string): string {
  return readFileBounded(file, MAX_CONFIG_BYTES).toString('utf8');
}

export function loadConfigFile(file: string): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readConfigText(abs);
  } catch (err) {
    return {
      problems: [{ code: 'config/not-found', severity: 'error', message: `Cannot read config ${abs}: ${(err as Error).message}. Check the path, or run "dcgan-studio train" with no argument to use the built-in MNIST defaults.`, file: abs }],
      file: abs,
      baseDir: path.dirname(abs),
    };
  }
  return parseConfig(text, abs);
}

/** The default config: every key at its schema default (builtin:mnist). */
export function defaultConfig(): DcganConfig {
  const loaded = parseConfig('{}');
  if (!loaded.config) throw new Error('schema defaults do not validate');
  return loaded.config;
}

/** Resolves data.path against the config's folder; builtin paths pass through. */
export function resolveDataPath(config: DcganConfig, baseDir: string): string {
  const p = config.data.path;
  return p.startsWith(BUILTIN_PREFIX) ? p : path.resolve(baseDir, p);
}

/**
 * output.dir resolved against the config's folder. It must stay inside that folder, or inside one of `roots` (a
 * folder the user chose: a CLI --out, a workspace folder): a config that came with a cloned repository must not
 * make training write elsewhere (an absolute path, or `..` up and out). Throws OutputPathError otherwise.
 */
export function resolveOutputDir(config: DcganConfig, baseDir: string, options: { roots?: readonly string[]; configFile?: string } = {}): string {
  const dir = path.resolve(baseDir, config.output.dir);
  if ([baseDir, ...(options.roots ?? [])].some((r) => isInside(path.resolve(r), dir))) return dir;
  const where = options.configFile ? ` in ${options.configFile}` : '';
  throw new OutputPathError(`output.dir "${config.output.dir}"${where} resolves to ${dir}, outside the config's folder ${path.resolve(baseDir)}. A config may only write below its own folder, so that one from a cloned repository cannot write elsewhere. Use a relative output.dir such as "runs", or name the folder yourself: dcgan-studio train --out ${dir}.`);
}

/** Config keys set for one run, by dotted key: {"training.steps": 5}. */
export type ConfigOverrides = Record<string, unknown>;

/**
 * The config with some keys set for one run (the CLI's --steps/--out/--backend, the extension's options), validated
 * again as a whole: an override the schema refuses is a problem naming the key and how it was given, as a typo in
 * the file would be. `labels` say how each key was given ({"training.steps": "--steps 0"}); default "key = value".
 */
export function applyOverrides(loaded: LoadedConfig & { config: DcganConfig }, overrides: ConfigOverrides = {}, labels: Record<string, string> = {}): LoadedConfig {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return loaded;
  const doc = structuredClone(loaded.config) as unknown as Record<string, unknown>;
  for (const key of keys) setAtPath(doc, key.split('.'), overrides[key]);
  const checked = parseConfig(JSON.stringify(doc));
  if (checked.config && checked.problems.length === 0) return { ...loaded, config: checked.config };
  const given = keys.map((k) => labels[k] ?? `${k} = ${JSON.stringify(overrides[k])}`).join(', ');
  const problems = checked.problems.map((p) => ({ ...p, file: loaded.file, message: `after ${given}: ${p.message.replace(/^config:\d+: /, '')}` }));
  return { ...loaded, config: undefined, problems };
}

/** Sets a value at a key path (creating objects on the way). Used for CLI overrides and to apply fixes in memory. */
export function setAtPath(target: Record<string, unknown>, keys: ConfigPath, value: unknown): void {
  let obj: Record<string, unknown> = target;
  for (const k of keys.slice(0, -1)) {
    const next = obj[k as string];
    if (typeof next !== 'object' || next === null) obj[k as string] = {};
    obj = obj[k as string] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete obj[last];
  else obj[last] = value;
}

function instancePathToKeys(instancePath: string): ConfigPath {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
}

/** oneOf produces one error per branch; keep the most useful one per location. */
function simplifyErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: ErrorObject[] = [];
  for (const [p, list] of byPath) {
    // A deeper error explains a oneOf failure better than "must match exactly one schema".
    const deeper = errors.some((e) => e.instancePath.startsWith(p + '/'));
    const fromOneOf = list.some((e) => e.keyword === 'oneOf');
    if (fromOneOf && !deeper) {
      // Several branches failed here: one "wrong form" message with examples reads better than each branch's.
      out.push(list.find((e) => e.keyword === 'oneOf')!);
      continue;
    }
    // When a deeper key explains the failure, the branch-mismatch errors at this level are noise.
    for (const e of list) if (!(fromOneOf && ['oneOf', 'enum', 'type'].includes(e.keyword))) out.push(e);
  }
  return out;
}

function describeError(e: ErrorObject, keys: ConfigPath): string {
  const key = keys.length ? keys.join('.') : '(top level)';
  const sub = schemaAt(keys);
  const hint = sub?.examples ? ` For example: ${sub.examples.map((x: unknown) => JSON.stringify(x)).join(' or ')}.` : '';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key "${key}". Remove it, or check its spelling against the schema (hover a key for its docs).`;
    case 'enum':
      return `${key} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'type':
      return `${key} must be ${e.params.type}.${hint}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `${key} ${e.message}.${hint}`;
    case 'oneOf':
      return `${key} has the wrong form.${hint}`;
    case 'required':
      return `${key} needs the key "${e.params.missingProperty}".${hint}`;
    default:
      return `${key} ${e.message}.${hint}`;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function schemaAt(keys: ConfigPath): any {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let node: any = schema;
  for (const k of keys) {
    if (typeof k === 'number') { node = node?.items; continue; }
    node = node?.properties?.[k];
  }
  return node;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; last = i; }
  }
  return { line, column: offset - last };
}

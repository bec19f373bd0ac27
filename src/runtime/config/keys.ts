/**
 * The config's keys as the schema defines them (schema.json stays the single source of truth): which dotted keys
 * exist, what each accepts, and which name paths. Used where a key comes from outside the config file itself: a
 * sweep's --vary, the "Run Sweep" pickers, and the remedy checks.
 */
import schema from './schema.json';

/** Keys whose values are paths: a sweep or a remedy never varies them (one would aim reading or writing elsewhere). */
export const PATH_KEYS: ReadonlySet<string> = new Set(['data.path', 'output.dir', '$schema']);

/** Sections that say where or how a run is scheduled, not what it trains: never a sweep's knob. */
const NOT_KNOBS: ReadonlySet<string> = new Set(['slurm']);

type SchemaNode = {
  properties?: Record<string, SchemaNode>;
  description?: string;
  enum?: unknown[];
  examples?: unknown[];
  default?: unknown;
  type?: string;
  oneOf?: SchemaNode[];
};

export interface ConfigKeyInfo {
  /** Dotted, e.g. "training.labelSmoothing". */
  key: string;
  description: string;
  /** The values a string or integer key allows (for "data.scale": "auto", "none"). */
  enum?: unknown[];
  examples?: unknown[];
  default?: unknown;
}

function own(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  const props = node?.properties;
  return props && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
}

function info(key: string, node: SchemaNode): ConfigKeyInfo {
  const enumValues = node.enum ?? node.oneOf?.flatMap((b) => b.enum ?? []);
  return {
    key,
    description: node.description ?? '',
    ...(enumValues && enumValues.length ? { enum: enumValues } : {}),
    ...(node.examples ? { examples: node.examples } : {}),
    ...(node.default !== undefined ? { default: node.default } : {}),
  };
}

/** Every `section.key` a sweep may vary, in the schema's order. */
export function sweepableKeys(): ConfigKeyInfo[] {
  const out: ConfigKeyInfo[] = [];
  for (const [section, node] of Object.entries((schema as SchemaNode).properties ?? {})) {
    if (!node.properties || NOT_KNOBS.has(section)) continue;
    for (const [name, leaf] of Object.entries(node.properties)) {
      const key = `${section}.${name}`;
      if (!PATH_KEYS.has(key)) out.push(info(key, leaf));
    }
  }
  return out;
}

/** Why `key` cannot be a sweep's knob, or undefined when it can. */
export function knobProblem(key: string): string | undefined {
  const parts = key.split('.');
  const [section, name] = parts;
  if (PATH_KEYS.has(key)) return `${key} is a path: a sweep runs every cell on the same data and writes into its own folder, so paths are never varied.`;
  if (NOT_KNOBS.has(section)) return `${key} says where runs are scheduled, not what they train: pass it with --sbatch instead.`;
  const sectionNode = own(schema as SchemaNode, section);
  if (parts.length !== 2 || !sectionNode?.properties || !own(sectionNode, name)) return `unknown key "${key}": not a key of the dcgan.json schema.`;
  return undefined;
}

export function keyInfo(key: string): ConfigKeyInfo | undefined {
  const [section, name, ...rest] = key.split('.');
  const node = rest.length === 0 ? own(own(schema as SchemaNode, section), name) : undefined;
  return node ? info(key, node) : undefined;
}

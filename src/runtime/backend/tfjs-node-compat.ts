/**
 * Lets @tensorflow/tfjs-node(-gpu) 4.22 run under Node ≥ 23 (tfjs#8425, fixed upstream but not released).
 *
 * Its compiled files do `var util_1 = require("util")` at load time and call `(0, util_1.isNullOrUndefined)(x)`
 * later, in most ops (createTensorsTypeOpAttr, TopK). Node 23 removed util.isNullOrUndefined, so loading works and
 * the first op throws "util_1.isNullOrUndefined is not a function". Read from the 4.22 sources (dist/*.js): the
 * only `util` members it uses are isNullOrUndefined, isArray (still in Node 24, deprecated) and promisify.
 *
 * The shim does not touch Node's `util`: while the package loads (synchronously, inside `load`), a `require("util")`
 * made by one of the package's own files gets an object that inherits from `util` and adds the members this Node
 * lacks. Those files (the package's own and its nested dependencies') keep that object; every other module, then and
 * later, gets the real `util`. On a Node that still has them, nothing is hooked at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// The real module objects, not a bundler's namespace copies: the shim inherits from `util` and hooks `Module._load`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const util = require('node:util') as typeof import('node:util');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loader = require('node:module') as { _load: LoadFn };

/** The `util` members tfjs-node 4.22 calls, with what they did before Node removed them. */
const UTIL_MEMBERS_TFJS_NODE_USES: Record<string, (value: unknown) => boolean> = {
  isNullOrUndefined: (value) => value === null || value === undefined,
  isArray: (value) => Array.isArray(value),
};

/** Which of those this Node's `util` lacks (isNullOrUndefined from Node 23 on; none before). */
export function missingUtilMembers(nodeUtil: object = util): string[] {
  return Object.keys(UTIL_MEMBERS_TFJS_NODE_USES).filter((name) => typeof (nodeUtil as Record<string, unknown>)[name] !== 'function');
}

type LoadFn = (request: string, parent: { filename?: string | null } | null | undefined, isMain: boolean) => unknown;

/**
 * Runs `load` (which requires the tfjs-node package in `packageDir`) with the shim in place, and removes the hook
 * afterwards, whether `load` returned or threw.
 */
export function withTfjsNodeUtilShim<T>(packageDir: string, load: () => T): T {
  const missing = missingUtilMembers();
  if (missing.length === 0) return load();
  const shimmed = Object.create(util, Object.fromEntries(missing.map((name) => [name, { value: UTIL_MEMBERS_TFJS_NODE_USES[name], enumerable: true }])));
  const dir = realDir(packageDir);
  const original = loader._load;
  loader._load = function (this: unknown, request, parent, isMain) {
    if ((request === 'util' || request === 'node:util') && parent?.filename && isInside(parent.filename, dir)) return shimmed;
    return original.call(this, request, parent, isMain);
  };
  try {
    return load();
  } finally {
    loader._load = original;
  }
}

/** The folder holding the package.json of the package whose entry file is `resolvedMain`. */
export function packageDirOf(resolvedMain: string): string {
  let dir = path.dirname(resolvedMain);
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.dirname(resolvedMain);
}

function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

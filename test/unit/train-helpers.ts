/** A config for a few real training steps in tests: 128 built-in digits, 8-filter networks, batch 16. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseConfig } from '../../src/runtime/config/load';
import type { DcganConfig } from '../../src/runtime/config/types';

/** `extra` replaces whole top-level sections (data, training, …) of the tiny config. */
export function tinyConfig(dir: string, extra: Record<string, unknown> = {}): DcganConfig {
  const doc = {
    data: { path: 'builtin:mnist', limit: 128 },
    model: { generatorFilters: 8, discriminatorFilters: 8 },
    training: { batchSize: 16, steps: 6 },
    output: { dir: path.join(dir, 'runs'), sampleEvery: 2, checkpointEvery: 3, sampleCount: 16 },
    ...extra,
  };
  const loaded = parseConfig(JSON.stringify(doc), path.join(dir, 'dcgan.json'));
  assert.deepEqual(loaded.problems, []);
  return loaded.config!;
}

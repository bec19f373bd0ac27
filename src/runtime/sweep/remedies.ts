/**
 * A remedy trial: the cells of a health alert's fixes, each alone, plus the baseline (the config as it is). The
 * fixes are the health monitor's own (train/health.ts remediesFor), for this config and what its data looks like
 * as fed, so `dcgan-studio sweep --remedies CODE` and VS Code's "Try these remedies" try the same thing the alert
 * offered.
 */
import { loadConfigFile } from '../config/load';
import { outputRange } from '../config/types';
import { checkConfigData } from '../data/lint';
import type { Fix, ProblemCode } from '../problem';
import { remediesFor } from '../train/health';
import { SweepInputError, type CellRequest } from './plan';

export const HEALTH_CODES: readonly ProblemCode[] = ['health/discriminator-overpowering', 'health/vanishing-generator-gradient', 'health/mode-collapse', 'health/oscillation', 'health/non-finite'];

export const BASELINE_LABEL = 'baseline (the config as it is)';

/** Baseline first, then one cell per fix with the fix's title; a fix that removes a key cannot be a cell and is left out. */
export function fixCells(fixes: readonly Fix[]): CellRequest[] {
  const cells: CellRequest[] = [{ set: {}, label: BASELINE_LABEL }];
  for (const fix of fixes) {
    if (fix.edits.length === 0 || fix.edits.some((e) => e.value === undefined)) continue;
    cells.push({ label: fix.title, set: Object.fromEntries(fix.edits.map((e) => [e.path.join('.'), e.value])) });
  }
  return cells;
}

/** The alert's fixes for this config, with the data's fed range (which decides whether "data.scale auto" is one). */
export async function remedyCells(code: string, configFile: string): Promise<CellRequest[]> {
  if (!(HEALTH_CODES as readonly string[]).includes(code)) throw new SweepInputError(`--remedies ${JSON.stringify(code)}: not a health alert. Use one of ${HEALTH_CODES.join(', ')}.`, 'remedies', code);
  const loaded = loadConfigFile(configFile);
  if (!loaded.config) throw new SweepInputError(`${loaded.file ?? configFile} cannot be used: ${loaded.problems[0]?.message ?? 'it does not validate'}. Fix the config first.`);
  const config = loaded.config;
  // The range the data is fed in, as the trainer gives it to the health monitor.
  const { stats, scaling } = await checkConfigData(config, loaded.baseDir, loaded.file);
  const ends = stats && scaling && Number.isFinite(stats.min) && Number.isFinite(stats.max) ? [stats.min * scaling.scale + scaling.offset, stats.max * scaling.scale + scaling.offset] : undefined;
  const fixes = remediesFor(code as ProblemCode, config, { fedMin: ends && Math.min(...ends), fedMax: ends && Math.max(...ends), outputRange: outputRange(config.model.outputActivation) });
  if (fixes.length === 0) throw new SweepInputError(`${code} offers no remedy for ${loaded.file}: every fix it knows is already in the config.`, 'remedies', code);
  return fixCells(fixes);
}

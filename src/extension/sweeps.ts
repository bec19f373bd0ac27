/**
 * Sweeps from VS Code: "DCGAN: Run Sweep" (keys and values picked with the schema's help, then the runner), "Try
 * these remedies" on a health alert (its fixes each alone plus the baseline), and "DCGAN: Stop Sweep". Running and
 * following a sweep is sweepRegistry.ts's.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sweepableKeys, keyInfo } from '../runtime/config/keys';
import { loadConfigFile } from '../runtime/config/load';
import type { Fix, Problem } from '../runtime/problem';
import { fixCells, gridCells, parseVary, SweepInputError } from '../runtime/sweep';
import { resolveConfig } from './configFiles';
import type { Ctx } from './ctx';
import { checkConfigTarget, checkFixEdits } from './remedies';
import type { SweepStartOptions } from './sweepRegistry';
import { requireTrust } from './trust';

/** A command factory, as the command table (commands.ts) takes them; declared here so this module needs only Ctx. */
type SweepCommand = (ctx: Ctx) => (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A whole number from an input box, or undefined when cancelled. */
async function askNumber(title: string, prompt: string, value: number, min: number, max: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title, prompt, value: String(value),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `A whole number from ${min} to ${max}.`),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/**
 * "Try these remedies": the alert's fixes (as the dashboard was sent them), each checked as a remedy is, plus the
 * baseline, on the run's own config; steps and seeds asked with short defaults. Forced: the baseline is the config
 * that raised the alert, and a trial must be able to show it failing.
 */
export async function tryRemedies(ctx: Ctx, configFile: string | undefined, problem: Problem, options: { steps?: number; seeds?: number } = {}): Promise<{ ok: boolean; message: string; dir?: string }> {
  if (!requireTrust('try remedies', ctx.log)) return { ok: false, message: 'The workspace is not trusted: no trial was started.' };
  if (!problem.code.startsWith('health/')) return { ok: false, message: `${problem.code} is not a health alert: apply its fix directly.` };
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const refused = checkConfigTarget(configFile, folders);
  if (refused) return { ok: false, message: refused };
  const fixes = (problem.fixes ?? []).filter((f: Fix) => checkFixEdits(f) === undefined);
  if (fixes.length === 0) return { ok: false, message: `${problem.code} has no remedy that can be tried here.` };
  const config = loadConfigFile(configFile!).config;
  if (!config) return { ok: false, message: `${configFile} does not validate now; fix it, then try again.` };
  const title = `DCGAN: Try these remedies (${fixes.length} + the baseline)`;
  const steps = options.steps ?? (await askNumber(title, 'Training steps per run (short: a trial compares, it does not finish the job)', Math.min(config.training.steps, 500), 1, 1_000_000));
  if (steps === undefined) return { ok: false, message: 'Cancelled.' };
  const seeds = options.seeds ?? (await askNumber(title, 'Seeds per remedy: 2 or more tell a winner from chance', 2, 1, 20));
  if (seeds === undefined) return { ok: false, message: 'Cancelled.' };
  try {
    const { dir } = ctx.sweeps.start(configFile!, fixCells(fixes), { steps, seeds, force: true, origin: { kind: 'remedies', code: problem.code, configFile: configFile! } });
    const message = `Trying ${fixes.length} remedies and the baseline, ${seeds} seed${seeds > 1 ? 's' : ''} each, ${steps} steps: the Compare panel opens with the ranking when they are done.`;
    void vscode.window.showInformationMessage(`DCGAN: ${message}`, 'Stop').then((c) => c && vscode.commands.executeCommand('dcgan.stopSweep', dir));
    return { ok: true, message, dir };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** Options from code (tests); the UI passes a config Uri or nothing and is asked the rest. */
export interface RunSweepOptions extends SweepStartOptions {
  /** "key=v1,v2" strings, as --vary takes them. */
  vary?: string[];
}

async function pickVaries(): Promise<string[] | undefined> {
  const keys = await vscode.window.showQuickPick(
    sweepableKeys().map((k) => ({ label: k.key, detail: k.description.slice(0, 200), key: k.key })),
    { title: 'DCGAN: Run Sweep: which keys to vary?', canPickMany: true, matchOnDetail: true, placeHolder: 'Tick one or more config keys' },
  );
  if (!keys?.length) return undefined;
  const varies: string[] = [];
  for (const { key } of keys) {
    const info = keyInfo(key);
    let values: string | undefined;
    if (info?.enum?.length) {
      const picked = await vscode.window.showQuickPick(info.enum.map((v) => ({ label: typeof v === 'string' ? v : JSON.stringify(v), picked: true })), { title: `Values of ${key}`, canPickMany: true });
      values = picked?.map((p) => p.label).join(',');
    } else {
      const examples = (info?.examples ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      values = await vscode.window.showInputBox({
        title: `Values of ${key}`, prompt: `Comma-separated; JSON or plain text. ${info?.description.slice(0, 160) ?? ''}`,
        value: [...new Set([info?.default !== undefined ? JSON.stringify(info.default) : undefined, ...examples].filter((v): v is string => v !== undefined))].join(','),
        validateInput: (v) => { try { parseVary(`${key}=${v}`); return undefined; } catch (err) { return (err as Error).message; } },
      });
    }
    if (!values) return undefined;
    varies.push(`${key}=${values}`);
  }
  return varies;
}

export const runSweepCommand: SweepCommand = (ctx) => async (arg?: unknown, options: RunSweepOptions = {}): Promise<string | undefined> => {
  if (!requireTrust('run a sweep', ctx.log)) return undefined;
  const { uri } = await resolveConfig(arg, 'Run Sweep');
  if (!uri) return undefined;
  const varies = options.vary ?? (await pickVaries());
  if (!varies) return undefined;
  const config = loadConfigFile(uri.fsPath).config;
  const seeds = options.seeds ?? (await askNumber('DCGAN: Run Sweep', 'Seeds per cell (2 or more tell a winner from chance)', 2, 1, 100));
  if (seeds === undefined) return undefined;
  const steps = options.steps ?? (await askNumber('DCGAN: Run Sweep', 'Training steps per run', config?.training.steps ?? 1000, 1, 10_000_000));
  if (steps === undefined) return undefined;
  const runner = options.runner ?? (await vscode.window.showQuickPick([
    { label: 'local', description: 'here, the cores split among the runs', runner: 'local' as const },
    { label: 'slurm', description: 'one sbatch --array job (sbatch options from the config\'s "slurm" section)', runner: 'slurm' as const },
  ], { title: 'DCGAN: Run Sweep: where?' }))?.runner;
  if (!runner) return undefined;
  try {
    const { dir } = ctx.sweeps.start(uri.fsPath, gridCells(varies.map(parseVary)), { seeds, steps, runner, force: options.force, openCompare: options.openCompare });
    void vscode.window.showInformationMessage(`DCGAN: sweep started in ${vscode.workspace.asRelativePath(dir)}; the side view shows its progress, Compare opens with the ranking when it ends.`);
    return dir;
  } catch (err) {
    if (err instanceof SweepInputError) {
      void vscode.window.showErrorMessage(`DCGAN: cannot run this sweep: ${err.message}`);
      return undefined;
    }
    throw err;
  }
};

export const tryRemediesCommand: SweepCommand = (ctx) => async (configFile?: unknown, problem?: unknown, options: { steps?: number; seeds?: number } = {}): Promise<string | undefined> => {
  if (typeof configFile !== 'string' || typeof problem !== 'object' || problem === null) {
    void vscode.window.showInformationMessage('DCGAN: "Try these remedies" starts from a health alert: open a run\'s dashboard and use the button on its alert.');
    return undefined;
  }
  const r = await tryRemedies(ctx, configFile, problem as Problem, options);
  if (!r.ok) void vscode.window.showWarningMessage(`DCGAN: ${r.message}`);
  return r.dir;
};

export const stopSweepCommand: SweepCommand = (ctx) => async (dir?: unknown): Promise<boolean> => {
  const live = ctx.sweeps.live();
  const target = typeof dir === 'string' ? live.find((s) => path.resolve(s.dir) === path.resolve(dir)) : live.length === 1 ? live[0] : undefined;
  if (!target) {
    void vscode.window.showInformationMessage(live.length ? 'DCGAN: which sweep? Stop it from its notification.' : 'DCGAN: no sweep is running in this window.');
    return false;
  }
  await target.stop(ctx.sweeps.cliScript);
  return true;
};

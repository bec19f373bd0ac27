/**
 * Semantic diagnostics on open config files (dcgan.json, *.dcgan.json), computed in full and set once per file.
 *
 * VS Code's JSON language service already reports syntax and schema errors through contributes.jsonValidation,
 * so config/parse and config/schema problems are left to it. This adds what a schema cannot know: whether
 * data.path exists, whether the data fits the model, and the dataset lint (above all, data fed outside the
 * generator's output range). The lint runs in a worker thread, is debounced, re-runs when the dataset changes,
 * and is cached on (dataset path, size, mtime, the config keys it depends on).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LintResult } from '../protocol';
import { parseConfig, resolveDataPath, BUILTIN_PREFIX } from '../runtime/config/load';
import type { DcganConfig } from '../runtime/config/types';
import type { ConfigPath, Problem } from '../runtime/problem';
import { spanForPath } from './configEdits';
import { isConfigUri } from './configFiles';
import type { WorkerClient } from './jobWorkerClient';

export const DIAGNOSTIC_SOURCE = 'DCGAN Studio';
const SCHEMA_CODES = new Set(['config/parse', 'config/schema']);
const CACHE_ENTRIES = 32;

export interface PlacedProblem {
  problem: Problem;
  diagnostic: vscode.Diagnostic;
}

export class ConfigDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('dcgan');
  private readonly placed = new Map<string, PlacedProblem[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped per document on every lint request, so that a slow, older lint never overwrites a newer one. */
  private readonly generation = new Map<string, number>();
  private readonly cache = new Map<string, LintResult>();
  /** One watcher per dataset path, with the config files that use it. */
  private readonly watchers = new Map<string, { watcher: vscode.FileSystemWatcher; configs: Set<string> }>();
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly lintedEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; problems: Problem[] }>();
  /** Fires after the diagnostics of a file were set. */
  readonly onDidLint = this.lintedEmitter.event;

  // Narrow on purpose: the log and the job worker, not the whole extension context (which builds this class).
  constructor(private readonly ctx: { readonly log: vscode.LogOutputChannel; readonly jobs: WorkerClient }) {
    this.disposables.push(
      this.lintedEmitter,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.settings().onType) this.schedule(e.document);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private settings(): { onType: boolean; debounceMs: number } {
    const c = vscode.workspace.getConfiguration('dcgan.lint');
    return { onType: c.get<boolean>('onType', true), debounceMs: c.get<number>('debounceMs', 500) };
  }

  /** Problems placed on `uri`, with their diagnostics (the quick-fix provider looks fixes up here). */
  problemsFor(uri: vscode.Uri): readonly PlacedProblem[] {
    return this.placed.get(uri.toString()) ?? [];
  }

  schedule(doc: vscode.TextDocument, delayMs = this.settings().debounceMs): void {
    if (!isConfigUri(doc.uri) || doc.uri.scheme !== 'file') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.lint(doc).catch((err) => this.ctx.log.error(`lint of ${doc.uri.fsPath} failed: ${(err as Error).stack ?? err}`));
    }, delayMs));
  }

  /** Lints a config document now and sets its diagnostics; returns the problems placed. */
  async lint(doc: vscode.TextDocument): Promise<Problem[]> {
    const key = doc.uri.toString();
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    const text = doc.getText();
    const file = doc.uri.fsPath;
    const loaded = parseConfig(text, file);
    const problems = loaded.problems.filter((p) => !SCHEMA_CODES.has(p.code));
    if (loaded.config) {
      this.watchDataset(loaded.config, loaded.baseDir, key);
      problems.push(...(await this.lintData(loaded.config, loaded.baseDir, file, text)));
    }
    if (this.generation.get(key) !== generation || doc.isClosed) return problems;
    this.setProblems(doc, problems);
    return problems;
  }

  private async lintData(config: DcganConfig, baseDir: string, file: string, text: string): Promise<Problem[]> {
    const cacheKey = await datasetKey(config, baseDir);
    const cached = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (cached) return cached.problems;
    let result: LintResult;
    try {
      result = await this.ctx.jobs.lint(file, text);
    } catch (err) {
      return [{ code: 'data/unreadable', severity: 'error', message: `Could not lint the data of ${path.basename(file)}: ${(err as Error).message}`, file, location: { path: ['data', 'path'] } }];
    }
    if (cacheKey) {
      this.cache.set(cacheKey, result);
      if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    }
    return result.problems;
  }

  private setProblems(doc: vscode.TextDocument, problems: Problem[]): void {
    const text = doc.getText();
    const placed = problems.map((problem) => ({ problem, diagnostic: toDiagnostic(doc, text, problem) }));
    this.placed.set(doc.uri.toString(), placed);
    this.collection.set(doc.uri, placed.map((p) => p.diagnostic));
    this.lintedEmitter.fire({ uri: doc.uri, problems });
  }

  /** Diagnostics for a bare dataset ("Lint Dataset" on a .npy file or a folder): placed on the file itself. */
  setDatasetProblems(dataset: vscode.Uri, problems: Problem[]): void {
    const diagnostics = problems.map((p) => {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), p.message, severity(p));
      d.code = p.code;
      d.source = DIAGNOSTIC_SOURCE;
      return d;
    });
    this.collection.set(dataset, diagnostics);
  }

  private watchDataset(config: DcganConfig, baseDir: string, configKey: string): void {
    for (const [dataPath, w] of this.watchers) {
      w.configs.delete(configKey);
      if (w.configs.size === 0) { w.watcher.dispose(); this.watchers.delete(dataPath); }
    }
    if (config.data.path.startsWith(BUILTIN_PREFIX)) return;
    const dataPath = resolveDataPath(config, baseDir);
    let entry = this.watchers.get(dataPath);
    if (!entry) {
      const isDir = safeIsDir(dataPath);
      const pattern = isDir ? new vscode.RelativePattern(vscode.Uri.file(dataPath), '**/*') : new vscode.RelativePattern(vscode.Uri.file(path.dirname(dataPath)), path.basename(dataPath));
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const onChange = () => this.datasetChanged(dataPath);
      watcher.onDidChange(onChange);
      watcher.onDidCreate(onChange);
      watcher.onDidDelete(onChange);
      entry = { watcher, configs: new Set() };
      this.watchers.set(dataPath, entry);
    }
    entry.configs.add(configKey);
  }

  private datasetChanged(dataPath: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(dataPath + '|')) this.cache.delete(k);
    const configs = this.watchers.get(dataPath)?.configs ?? new Set<string>();
    for (const doc of vscode.workspace.textDocuments) if (configs.has(doc.uri.toString())) this.schedule(doc);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.placed.delete(key);
    this.generation.delete(key);
    if (isConfigUri(uri)) this.collection.delete(uri);
    for (const [dataPath, w] of this.watchers) {
      w.configs.delete(key);
      if (w.configs.size === 0) { w.watcher.dispose(); this.watchers.delete(dataPath); }
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const w of this.watchers.values()) w.watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The lint's verdict depends on the data file and on these config keys; nothing else. */
async function datasetKey(config: DcganConfig, baseDir: string): Promise<string | undefined> {
  const dataPath = resolveDataPath(config, baseDir);
  const depends = JSON.stringify({ data: config.data, model: config.model, batchSize: config.training.batchSize });
  if (dataPath.startsWith(BUILTIN_PREFIX)) return `${dataPath}|${depends}`;
  try {
    const st = await fs.promises.stat(dataPath);
    return `${dataPath}|${st.size}|${st.mtimeMs}|${depends}`;
  } catch {
    // Missing data is reported by the lint itself, and must be re-checked each time (it may appear).
    return undefined;
  }
}

function safeIsDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function severity(p: Problem): vscode.DiagnosticSeverity {
  return p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** Where a problem goes: its config key; dataset findings without one go on the data.path value. */
export function problemPath(p: Problem): ConfigPath | undefined {
  if (p.location?.path && p.location.path.length > 0) return p.location.path;
  if (p.code.startsWith('data/') || p.code === 'config/data-path-missing') return ['data', 'path'];
  return undefined;
}

function toDiagnostic(doc: vscode.TextDocument, text: string, p: Problem): vscode.Diagnostic {
  let range: vscode.Range | undefined;
  const keyPath = problemPath(p);
  const span = keyPath ? spanForPath(text, keyPath) : undefined;
  if (span) range = new vscode.Range(doc.positionAt(span.offset), doc.positionAt(span.offset + span.length));
  else if (p.location?.line) {
    const line = Math.min(p.location.line - 1, doc.lineCount - 1);
    range = doc.lineAt(line).range;
  }
  range ??= doc.lineAt(0).range;
  const d = new vscode.Diagnostic(range, p.message, severity(p));
  d.code = p.code;
  d.source = DIAGNOSTIC_SOURCE;
  if (p.file && path.resolve(p.file) !== path.resolve(doc.uri.fsPath)) {
    d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(p.file), new vscode.Position(0, 0)), `in ${path.basename(p.file)}`)];
  }
  return d;
}

/**
 * What the views need from the rest of the extension, as narrow interfaces: TrainingSession and the
 * session registry fit them as they are, and the views never reach into the extension's internals.
 */
import type * as vscode from 'vscode';
import type { RunSummary } from '../../protocol';
import type { GridImage, TrainEvent } from '../../runtime/events';
import type { Fix, Problem } from '../../runtime/problem';

/** A run this window is training (or trained): TrainingSession satisfies it. */
export interface LiveRun {
  readonly runId: string;
  readonly runDir: string;
  readonly configFile: string;
  readonly live: boolean;
  readonly problems: readonly Problem[];
  readonly history: {
    events(): TrainEvent[];
    readonly latestGrid: { step: number; grid: GridImage } | undefined;
    readonly samples: readonly { step: number; file: string }[];
  };
  readonly onEvent: vscode.Event<TrainEvent>;
  summary(): RunSummary;
  stop(): Promise<unknown>;
}

export interface ViewServices {
  /** The session of a run in this window, if any (live or recently ended). */
  sessionFor(runId: string): LiveRun | undefined;
  /** Fires when a run starts, so the side view lists it at once. */
  readonly onDidStartSession?: vscode.Event<LiveRun>;
  /**
   * Applies a remedy's edits to the config file, keeping its comments; rejects with a message for the user. The
   * caller has chosen the file and the fix (DashboardPanel.applyFix); this checks them again before writing.
   */
  applyFix(configFile: string, fix: Fix): Promise<void>;
  readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error'>;
  /** The side view's "Save as GIF": asks where, writes the run's grids as a GIF; undefined when cancelled. */
  saveGif?(runDir: string, runId: string): Promise<{ file: string; frames: number } | undefined>;
  /** "Try these remedies" on an alert: a sweep of its fixes on `configFile` (checked there); says what happened. */
  tryRemedies?(configFile: string | undefined, problem: Problem): Promise<{ ok: boolean; message: string }>;
  /** True while this window runs the sweep in `dir` (its CLI process lives). */
  sweepLive?(dir: string): boolean;
  /** Fires when a sweep of this window starts or ends. */
  readonly onDidChangeSweeps?: vscode.Event<string>;
}

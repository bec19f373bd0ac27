/**
 * Training health: watches the per-step metrics and the fixed-noise sample diversity, and turns the classic
 * GAN failures into Problems with ordered causes (the data first) and remedies that are config edits.
 *
 * Pure: no tf, no I/O. Feed it StepEvents (live, or replayed from a metrics.jsonl) and it answers Problems.
 * Each alert is emitted when its state is entered, and again only after the state has cleared for
 * `recoverySteps` steps or `reminderSteps` have passed, so a run stuck in a failure does not flood the log.
 */
import type { StepEvent } from '../events';
import type { Fix, Problem, ProblemCode } from '../problem';
import { learningRates, type DcganConfig } from '../config/types';

export interface HealthContext {
  activation: 'tanh' | 'sigmoid';
  /** The generator's output range: [-1, 1] for tanh, [0, 1] for sigmoid. */
  outputRange: [number, number];
  /** The real data's range as fed to D, after scaling (from the dataset statistics). */
  fedMin?: number;
  fedMax?: number;
  /** How the data was scaled, in the user's words, e.g. 'data.scale "none" (uint8 fed as stored)'. */
  scaleDescription?: string;
  /** The resolved config: remedies are computed from its current values. */
  config: DcganConfig;
}

/**
 * Defaults and why. Reference points for BCE-with-logits: at balance D outputs 0.5 everywhere, so
 * Loss_D = −ln 0.5 − ln 0.5 = 2·ln2 ≈ 1.39 and the non-saturating Loss_G = −ln 0.5 = ln2 ≈ 0.69.
 * "Loss_D → 0" is the classic failure: D separates real from fake perfectly and G's signal is only how
 * far off it is.
 */
export interface HealthThresholds {
  /** Steps averaged by the step detectors. 10 smooths minibatch noise while reacting well within 50 steps. */
  windowSteps: number;
  /** Overpowering: window-mean Loss_D at or below this (plus the floor label smoothing imposes). 0.1 is 7% of the 1.39 balance point; a healthy DCGAN stays above ~0.3. */
  overpoweringLossD: number;
  /** Overpowering: window-mean D(G(z)) at or below this. 0.05 means D rejects fakes with 95% confidence on average. */
  overpoweringDFake: number;
  /** Overpowering: window-mean D(x) at or above this (minus labelSmoothing, since smoothed targets cap D(x)). */
  overpoweringDReal: number;
  /** Overpowering: window-mean Loss_G at or above this. −ln 0.05 ≈ 3.0 is what D(G(z)) = 0.05 costs G (4.3× the ln2 balance point). */
  overpoweringLossG: number;
  /**
   * Overpowering, second signature: window-mean D(x) at or above this (minus labelSmoothing) whatever D(G(z)) does.
   * Recorded on real data (test/fixtures/traces/fashion-uint8-scale-none.jsonl): with [0,255] fed to tanh, D(x)
   * reaches 0.99 by step 40 while D(G(z)) stays at 0.5, so Loss_D sits at its fake-half ln2 and never "→ 0".
   * A healthy DCGAN's D(x) averages 0.6–0.85.
   */
  overpoweringDRealSaturated: number;
  /** Vanishing gradient: window-mean ‖∇G‖ below this fraction of its early (first window) mean. */
  vanishingGradientRatio: number;
  /** Vanishing gradient: or below this absolute norm, whatever the early value. */
  vanishingGradientAbsolute: number;
  /** Mode collapse: fixed-noise diversity below this fraction of the highest diversity seen so far. Real digit batches sit around 0.4–0.5 (tanh range) and a collapsed G near 0; 0.35 leaves room for the normal dip when G leaves its noisy start. */
  modeCollapseRatio: number;
  /** Mode collapse: ignore samples before this step (the untrained G's output says nothing about collapse). */
  modeCollapseMinStep: number;
  /** Oscillation: steps looked at (long enough to tell a swing from minibatch noise). */
  oscillationWindow: number;
  /** Oscillation: the range of Loss_G's block medians over the window, relative to their mean, at or above this. */
  oscillationSwing: number;
  /** Oscillation: at least this many crossings of their mean by Loss_G's block medians (a swing, not a trend). */
  oscillationCrossings: number;
  /** A state must be clear this many consecutive steps before its alert can fire again. */
  recoverySteps: number;
  /** While a state persists, repeat its alert at most every this many steps. */
  reminderSteps: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  windowSteps: 10,
  overpoweringLossD: 0.1,
  overpoweringDFake: 0.05,
  overpoweringDReal: 0.9,
  overpoweringLossG: 3.0,
  overpoweringDRealSaturated: 0.95,
  vanishingGradientRatio: 0.01,
  vanishingGradientAbsolute: 1e-6,
  modeCollapseRatio: 0.35,
  modeCollapseMinStep: 100,
  oscillationWindow: 200,
  oscillationSwing: 1.0,
  oscillationCrossings: 4,
  recoverySteps: 50,
  reminderSteps: 1000,
};

/** Thresholds from config.health over the defaults; unknown keys are ignored (the schema rejects them). */
export function resolveThresholds(overrides?: Partial<HealthThresholds> | Record<string, number>): HealthThresholds {
  const out = { ...DEFAULT_HEALTH_THRESHOLDS };
  if (overrides) for (const [k, v] of Object.entries(overrides)) if (k in out && typeof v === 'number' && Number.isFinite(v)) (out as Record<string, number>)[k] = v;
  return out;
}

/** Loss_G's oscillation window is summarised by the medians of this many equal blocks. */
const OSCILLATION_BLOCKS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Binary entropy in nats: the least BCE reachable with soft target p. */
function entropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
}

const fmt = (x: number) => (Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x * 100) / 100) : x.toPrecision(3));

/** Per-code de-duplication: fire on entering, then only after recovery or a reminder interval. */
class AlertGate {
  private active = false;
  private lastEmitted = -Infinity;
  private clearSince: number | undefined;

  constructor(private readonly t: HealthThresholds) {}

  /** Returns true when an alert should be emitted at `step` given whether the condition holds. */
  update(step: number, condition: boolean): boolean {
    if (condition) {
      this.clearSince = undefined;
      if (!this.active) {
        this.active = true;
        this.lastEmitted = step;
        return true;
      }
      if (step - this.lastEmitted >= this.t.reminderSteps) {
        this.lastEmitted = step;
        return true;
      }
      return false;
    }
    if (this.active) {
      this.clearSince ??= step;
      if (step - this.clearSince + 1 >= this.t.recoverySteps) this.active = false;
    }
    return false;
  }
}

class Window {
  private readonly values: number[] = [];
  constructor(private readonly size: number) {}
  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }
  get full(): boolean { return this.values.length >= this.size; }
  get mean(): number { return this.values.reduce((a, b) => a + b, 0) / Math.max(1, this.values.length); }
  get items(): readonly number[] { return this.values; }
}

export class HealthMonitor {
  private readonly t: HealthThresholds;
  private readonly gates = new Map<ProblemCode, AlertGate>();
  private readonly lossD: Window;
  private readonly lossG: Window;
  private readonly dReal: Window;
  private readonly dFake: Window;
  private readonly gradG: Window;
  private readonly lossGLong: Window;
  private earlyGradNorm: number | undefined;
  private peakDiversity = 0;

  constructor(private readonly ctx: HealthContext, thresholds?: Partial<HealthThresholds>) {
    this.t = resolveThresholds({ ...(ctx.config.health ?? {}), ...(thresholds ?? {}) });
    const w = Math.max(1, Math.round(this.t.windowSteps));
    this.lossD = new Window(w);
    this.lossG = new Window(w);
    this.dReal = new Window(w);
    this.dFake = new Window(w);
    this.gradG = new Window(w);
    this.lossGLong = new Window(Math.max(2, Math.round(this.t.oscillationWindow)));
  }

  get thresholds(): Readonly<HealthThresholds> { return this.t; }

  private gate(code: ProblemCode): AlertGate {
    let g = this.gates.get(code);
    if (!g) this.gates.set(code, (g = new AlertGate(this.t)));
    return g;
  }

  observeStep(e: StepEvent): Problem[] {
    const out: Problem[] = [];
    const values = { lossD: e.lossD, lossG: e.lossG, dReal: e.dReal, dFake: e.dFake, gradNormG: e.gradNormG, gradNormD: e.gradNormD };
    const bad = Object.entries(values).filter(([, v]) => v !== undefined && !Number.isFinite(v));
    if (this.gate('health/non-finite').update(e.step, bad.length > 0)) out.push(this.nonFinite(e.step, bad as [string, number][]));
    // Non-finite values would poison the windows; the trainer rolls back, so skip them.
    if (bad.length > 0) return out;

    this.lossD.push(e.lossD);
    this.lossG.push(e.lossG);
    this.dReal.push(e.dReal);
    this.dFake.push(e.dFake);
    this.lossGLong.push(e.lossG);
    if (this.lossD.full && this.gate('health/discriminator-overpowering').update(e.step, this.isOverpowering())) out.push(this.overpowering(e.step));

    if (e.gradNormG !== undefined) {
      this.gradG.push(e.gradNormG);
      if (this.gradG.full) {
        this.earlyGradNorm ??= this.gradG.mean;
        const now = this.gradG.mean;
        const collapsed = now < this.t.vanishingGradientAbsolute || now < this.t.vanishingGradientRatio * this.earlyGradNorm;
        if (this.gate('health/vanishing-generator-gradient').update(e.step, collapsed)) out.push(this.vanishing(e.step, now));
      }
    }

    if (this.lossGLong.full) {
      const osc = this.oscillation();
      if (this.gate('health/oscillation').update(e.step, osc !== undefined)) out.push(this.oscillating(e.step, osc!));
    }
    return out;
  }

  observeSamples(step: number, diversity: number): Problem[] {
    if (!Number.isFinite(diversity) || step < this.t.modeCollapseMinStep) return [];
    const collapsed = this.peakDiversity > 0 && diversity < this.t.modeCollapseRatio * this.peakDiversity;
    const peak = this.peakDiversity;
    this.peakDiversity = Math.max(this.peakDiversity, diversity);
    // Samples come every sampleEvery steps, so recovery is judged per observation, not per step.
    if (this.gate('health/mode-collapse').update(step, collapsed)) return [this.modeCollapse(step, diversity, peak)];
    return [];
  }

  private isOverpowering(): boolean {
    const smoothing = this.ctx.config.training.labelSmoothing ?? 0;
    const noise = this.ctx.config.training.labelNoise ?? 0;
    // Soft or noisy targets put a floor under Loss_D: with real target 1−s, the best D still pays H(1−s) on reals.
    const lossDFloor = entropy(1 - smoothing) + 2 * entropy(1 - noise);
    const classic =
      this.lossD.mean <= this.t.overpoweringLossD + lossDFloor &&
      this.dFake.mean <= this.t.overpoweringDFake &&
      this.dReal.mean >= this.t.overpoweringDReal - smoothing - noise &&
      this.lossG.mean >= this.t.overpoweringLossG;
    const realSaturated = this.dReal.mean >= this.t.overpoweringDRealSaturated - smoothing - noise;
    return classic || realSaturated;
  }

  /**
   * Returns swing statistics when Loss_G swings without a trend over the long window. Loss_G is summarised by
   * the medians of ten equal blocks of the window: single-step spikes, common and harmless at the default
   * learning rate, move a median little, while a swing over tens of steps moves whole blocks. (An EMA of the
   * raw values fired several times per 3,000 steps on healthy runs at learning rate 2e-3; the block medians
   * fired on none of five recorded real runs.)
   */
  private oscillation(): { swing: number; crossings: number } | undefined {
    const raw = this.lossGLong.items;
    const size = Math.floor(raw.length / OSCILLATION_BLOCKS);
    if (size < 1) return undefined;
    const medians: number[] = [];
    for (let b = 0; b < OSCILLATION_BLOCKS; b++) medians.push(median(raw.slice(b * size, (b + 1) * size)));
    const mean = medians.reduce((a, b) => a + b, 0) / medians.length;
    if (mean <= 0) return undefined;
    const swing = (Math.max(...medians) - Math.min(...medians)) / mean;
    let crossings = 0;
    for (let i = 1; i < medians.length; i++) if ((medians[i - 1] - mean) * (medians[i] - mean) < 0) crossings++;
    // A trend (steady climb or fall) crosses its mean about once; swings cross it again and again.
    return swing >= this.t.oscillationSwing && crossings >= this.t.oscillationCrossings ? { swing, crossings } : undefined;
  }

  // ---- causes -------------------------------------------------------------------------------------------

  /** The data check, first in every list: the fed range against the generator's output range. */
  private dataCauses(): string[] {
    const { fedMin, fedMax, outputRange: [lo, hi], activation } = this.ctx;
    if (fedMin === undefined || fedMax === undefined) return [];
    const how = this.ctx.scaleDescription ? ` (${this.ctx.scaleDescription})` : '';
    const span = hi - lo;
    const tolerance = 0.01 * span;
    if (fedMin < lo - tolerance || fedMax > hi + tolerance) {
      return [`The real data is fed in [${fmt(fedMin)}, ${fmt(fedMax)}]${how}, but the generator's ${activation} can only output [${lo}, ${hi}]: the discriminator tells real from fake by range alone, and the generator cannot follow. Set data.scale to "auto".`];
    }
    if (fedMax - fedMin < 0.6 * span) {
      return [`The real data uses only [${fmt(fedMin)}, ${fmt(fedMax)}] of the generator's ${activation} range [${lo}, ${hi}]${how}: the discriminator can separate real from fake by the unused part of the range. Set data.scale to "auto" or {"from": [${fmt(fedMin)}, ${fmt(fedMax)}]}.`];
    }
    return [];
  }

  private architectureCauses(): string[] {
    const c = this.ctx.config;
    const out: string[] = [];
    const lr = learningRates(c.training.learningRate);
    if (c.model.discriminatorFilters > c.model.generatorFilters) out.push(`The discriminator is ${fmt(c.model.discriminatorFilters / c.model.generatorFilters)}× as wide as the generator (model.discriminatorFilters ${c.model.discriminatorFilters} vs model.generatorFilters ${c.model.generatorFilters}).`);
    if (lr.discriminator > lr.generator) out.push(`The discriminator learns faster than the generator (training.learningRate: discriminator ${lr.discriminator} > generator ${lr.generator}).`);
    if (c.training.beta1 > 0.5) out.push(`Adam β1 is ${c.training.beta1}; the DCGAN paper found 0.9 makes training unstable and uses 0.5.`);
    if ((c.training.labelSmoothing ?? 0) === 0) out.push('The discriminator trains on hard 1/0 targets (training.labelSmoothing is 0), so nothing stops it from becoming over-confident.');
    if (c.model.discriminatorDropout < 0.3) out.push(`Discriminator dropout is ${c.model.discriminatorDropout} (the TensorFlow tutorial uses 0.3).`);
    if (c.model.leakyReluAlpha === 0) out.push('model.leakyReluAlpha is 0 (plain ReLU): a confident discriminator passes no gradient through its dead units.');
    return out;
  }

  private causesFor(code: ProblemCode): string[] {
    const data = this.dataCauses();
    const arch = this.architectureCauses();
    switch (code) {
      case 'health/discriminator-overpowering':
        return [...data, ...arch, 'The discriminator simply learns faster than the generator on this data: slow it down or blur its view (instance noise) early in training.'];
      case 'health/vanishing-generator-gradient':
        return [...data, 'The discriminator saturates: its confident outputs pass almost no gradient back to the generator.', ...arch];
      case 'health/mode-collapse':
        return [...data, 'The generator found a few outputs the discriminator accepts and maps most noise vectors onto them.', ...arch.filter((c) => !c.includes('dropout'))];
      case 'health/oscillation':
        return [...data, ...(this.ctx.config.training.beta1 > 0.5 ? [`Adam β1 is ${this.ctx.config.training.beta1}: momentum this high makes the two networks chase each other.`] : []), 'The learning rates are too high for the two networks to settle.'];
      case 'health/non-finite':
        return [...data, 'A learning rate too high for this model, or an exploding loss after the discriminator saturated.'];
      default:
        return data;
    }
  }

  // ---- alerts --------------------------------------------------------------------------------------------

  private problem(code: ProblemCode, severity: Problem['severity'], step: number, summary: string): Problem {
    const causes = this.causesFor(code);
    const first = causes[0] ? ` Most likely cause: ${causes[0]}` : '';
    return { code, severity, step, message: `${summary}${first}`, causes, fixes: remediesFor(code, this.ctx.config, this.ctx) };
  }

  private overpowering(step: number): Problem {
    const summary = `The discriminator is overpowering the generator (step ${step}, last ${this.t.windowSteps} steps): Loss_D ${fmt(this.lossD.mean)} (balance ≈ 1.39), D(x) ${fmt(this.dReal.mean)}, D(G(z)) ${fmt(this.dFake.mean)}, Loss_G ${fmt(this.lossG.mean)} (balance ≈ 0.69). The generator learns little while D wins this easily.`;
    return this.problem('health/discriminator-overpowering', 'warning', step, summary);
  }

  private vanishing(step: number, norm: number): Problem {
    const summary = `The generator's gradient has collapsed (step ${step}): ‖∇G‖ ${norm.toExponential(2)}, down from ${(this.earlyGradNorm ?? 0).toExponential(2)} early in training. The generator has almost nothing to learn from.`;
    return this.problem('health/vanishing-generator-gradient', 'warning', step, summary);
  }

  private modeCollapse(step: number, diversity: number, peak: number): Problem {
    const summary = `Mode collapse (step ${step}): the fixed-noise samples' diversity fell to ${fmt(diversity)}, ${Math.round((100 * diversity) / peak)}% of its peak ${fmt(peak)}. Different noise vectors now give nearly the same image.`;
    return this.problem('health/mode-collapse', 'warning', step, summary);
  }

  private oscillating(step: number, osc: { swing: number; crossings: number }): Problem {
    const summary = `The losses oscillate without a trend (steps ${step - this.t.oscillationWindow + 1}–${step}): Loss_G, as medians of ${Math.floor(this.t.oscillationWindow / OSCILLATION_BLOCKS)}-step blocks, swings by ${Math.round(osc.swing * 100)}% of its mean and crossed it ${osc.crossings} times.`;
    return this.problem('health/oscillation', 'info', step, summary);
  }

  private nonFinite(step: number, bad: [string, number][]): Problem {
    const summary = `Training diverged at step ${step}: ${bad.map(([k, v]) => `${k} is ${v}`).join(', ')}. Training stops and rolls back to the last good checkpoint.`;
    return this.problem('health/non-finite', 'error', step, summary);
  }
}

// ---- remedies -----------------------------------------------------------------------------------------------

/**
 * The remedies for one alert, as config edits from the current values. Every path is a key the trainer
 * honours (the tests apply each fix and validate the result with parseConfig). Preferred fix first.
 */
export function remediesFor(code: ProblemCode, config: DcganConfig, ctx?: Pick<HealthContext, 'fedMin' | 'fedMax' | 'outputRange'>): Fix[] {
  const fixes: Fix[] = [];
  const t = config.training;
  const m = config.model;
  const lr = learningRates(t.learningRate);
  const dataOff = ctx && ctx.fedMin !== undefined && ctx.fedMax !== undefined && (ctx.fedMin < ctx.outputRange[0] - 0.01 || ctx.fedMax > ctx.outputRange[1] + 0.01 || ctx.fedMax - ctx.fedMin < 0.6 * (ctx.outputRange[1] - ctx.outputRange[0]));
  if (dataOff && config.data.scale !== 'auto') fixes.push({ title: 'Scale the data to the generator\'s range (data.scale "auto")', edits: [{ path: ['data', 'scale'], value: 'auto' }] });

  const labelSmoothing: Fix | undefined = (t.labelSmoothing ?? 0) < 0.1 ? { title: 'One-sided label smoothing: real targets 0.9 (training.labelSmoothing 0.1)', edits: [{ path: ['training', 'labelSmoothing'], value: 0.1 }] } : undefined;
  const dropoutTarget = Math.min(0.6, Math.round((m.discriminatorDropout + 0.2) * 10) / 10);
  const dropout: Fix | undefined = m.discriminatorDropout < dropoutTarget ? { title: `Raise discriminator dropout to ${dropoutTarget} (model.discriminatorDropout)`, edits: [{ path: ['model', 'discriminatorDropout'], value: dropoutTarget }] } : undefined;
  const ttur: Fix | undefined = lr.discriminator >= lr.generator / 2 ? { title: `Two time-scale update rule: discriminator learning rate ${lr.generator / 4}, generator ${lr.generator}`, edits: [{ path: ['training', 'learningRate'], value: { generator: lr.generator, discriminator: lr.generator / 4 } }] } : undefined;
  const beta1: Fix | undefined = t.beta1 !== 0.5 ? { title: 'Adam β1 0.5, as in the DCGAN paper (training.beta1)', edits: [{ path: ['training', 'beta1'], value: 0.5 }] } : undefined;
  const decaySteps = Math.max(200, Math.min(5000, Math.round(t.steps / 2)));
  const noise: Fix | undefined = typeof t.instanceNoise === 'number' && t.instanceNoise === 0 ? { title: `Instance noise 0.1, decaying to 0 over ${decaySteps} steps (training.instanceNoise)`, edits: [{ path: ['training', 'instanceNoise'], value: { start: 0.1, decaySteps } }] } : undefined;
  const balance: Fix | undefined = t.balance !== 'adaptive' ? { title: 'Adaptive balance: skip D updates and raise instance noise while D overpowers (training.balance "adaptive")', edits: [{ path: ['training', 'balance'], value: 'adaptive' }] } : undefined;
  const alpha: Fix | undefined = m.leakyReluAlpha < 0.2 ? { title: 'LeakyReLU α 0.2 so a confident D still passes gradient (model.leakyReluAlpha)', edits: [{ path: ['model', 'leakyReluAlpha'], value: 0.2 }] } : undefined;
  const gSteps: Fix | undefined = t.generatorStepsPerDiscriminatorStep < 2 ? { title: 'Two generator steps per discriminator step (delays, rarely cures, an overpowering D)', edits: [{ path: ['training', 'generatorStepsPerDiscriminatorStep'], value: 2 }] } : undefined;
  const labelNoise: Fix | undefined = (t.labelNoise ?? 0) === 0 ? { title: 'Label noise: flip 5% of the discriminator\'s labels (training.labelNoise 0.05)', edits: [{ path: ['training', 'labelNoise'], value: 0.05 }] } : undefined;
  const lowerBoth: Fix = { title: `Halve both learning rates (generator ${lr.generator / 2}, discriminator ${lr.discriminator / 2})`, edits: [{ path: ['training', 'learningRate'], value: { generator: lr.generator / 2, discriminator: lr.discriminator / 2 } }] };

  const add = (...list: (Fix | undefined)[]) => { for (const f of list) if (f) fixes.push(f); };
  switch (code) {
    case 'health/discriminator-overpowering':
      // Smoothing + dropout + adaptive balance is the combination the remedies experiment measures (see test/unit/health-acceptance).
      if (!dataOff) {
        const combined = [labelSmoothing, dropout, balance].filter((f): f is Fix => f !== undefined);
        if (combined.length > 1) fixes.push({ title: 'Label smoothing 0.1 + more discriminator dropout + adaptive balance', edits: combined.flatMap((f) => f.edits) });
      }
      add(labelSmoothing, dropout, ttur, noise, balance, beta1, labelNoise, alpha, gSteps);
      break;
    case 'health/vanishing-generator-gradient':
      add(alpha, labelSmoothing, noise, ttur, balance, beta1);
      break;
    case 'health/mode-collapse':
      add(noise, labelNoise, ttur, beta1, labelSmoothing);
      break;
    case 'health/oscillation':
      add(beta1, ttur, lowerBoth);
      break;
    case 'health/non-finite':
      add(lowerBoth, beta1, labelSmoothing);
      break;
    default:
      break;
  }
  if (fixes.length > 0) fixes[0].isPreferred = true;
  return fixes;
}

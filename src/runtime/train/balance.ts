/**
 * training.balance "adaptive": when the discriminator overpowers the generator, skip D updates and raise
 * instance noise until the gap closes. Every intervention is a BalanceEvent in the metrics stream, so the
 * dashboard can mark it on the charts and a reader of metrics.jsonl can see why D(G(z)) moved.
 *
 * The signal is an exponential moving average of D(G(z)): D's confidence that fakes are fake is what starves
 * the generator (see health.ts for the reference points). Hysteresis between `enterDFake` and `exitDFake`
 * keeps it from flapping every step. With balance "off" it only applies the configured instance-noise
 * schedule, so the trainer can call it unconditionally.
 */
import type { BalanceEvent, StepEvent } from '../events';
import { instanceNoiseAt, type DcganConfig } from '../config/types';

export interface BalanceSettings {
  /** EMA weight of the newest D(G(z)); 0.1 averages over about 10 steps. */
  emaWeight: number;
  /** Intervene when the D(G(z)) average falls below this: D rejects 90% of fakes with confidence. */
  enterDFake: number;
  /** Stand down when it climbs back above this. */
  exitDFake: number;
  /** Never skip more than this many D updates in a row, so D keeps tracking the moving generator. */
  maxConsecutiveSkips: number;
  /** While still overpowered, add `noiseIncrement` instance noise every this many steps. */
  raiseEvery: number;
  noiseIncrement: number;
  /** Ceiling of the added noise (σ, in the generator's output units: 0.3 is 15% of the tanh range). */
  maxExtraNoise: number;
  /** Once balanced, take back one increment every this many steps. */
  lowerEvery: number;
  /** Steps observed before the first intervention (the EMA needs a few values). */
  warmupSteps: number;
}

export const DEFAULT_BALANCE_SETTINGS: BalanceSettings = {
  emaWeight: 0.1,
  enterDFake: 0.1,
  exitDFake: 0.25,
  maxConsecutiveSkips: 4,
  raiseEvery: 25,
  noiseIncrement: 0.05,
  maxExtraNoise: 0.3,
  lowerEvery: 50,
  warmupSteps: 5,
};

export interface BalancePlan {
  skipDiscriminator: boolean;
  /** Instance-noise σ for this step: the configured schedule plus the adaptive extra. */
  instanceNoise: number;
}

export class AdaptiveBalancer {
  private readonly s: BalanceSettings;
  private readonly adaptive: boolean;
  private emaDFake: number | undefined;
  private observed = 0;
  private overpowered = false;
  private consecutiveSkips = 0;
  private totalSkips = 0;
  private extraNoise = 0;
  private lastNoiseChange = -Infinity;
  private balancedSince = -Infinity;

  constructor(private readonly training: DcganConfig['training'], settings?: Partial<BalanceSettings>) {
    this.s = { ...DEFAULT_BALANCE_SETTINGS, ...(settings ?? {}) };
    this.adaptive = training.balance === 'adaptive';
  }

  /** Before each iteration. */
  plan(step: number): BalancePlan {
    const base = instanceNoiseAt(this.training.instanceNoise, step);
    if (!this.adaptive) return { skipDiscriminator: false, instanceNoise: base };
    const skip = this.overpowered && this.consecutiveSkips < this.s.maxConsecutiveSkips;
    this.consecutiveSkips = skip ? this.consecutiveSkips + 1 : 0;
    if (skip) this.totalSkips++;
    return { skipDiscriminator: skip, instanceNoise: base + this.extraNoise };
  }

  /** After each iteration. Returns the interventions that started or ended at this step. */
  observe(e: StepEvent): BalanceEvent[] {
    if (!this.adaptive || !Number.isFinite(e.dFake)) return [];
    const w = this.s.emaWeight;
    this.emaDFake = this.emaDFake === undefined ? e.dFake : (1 - w) * this.emaDFake + w * e.dFake;
    this.observed++;
    if (this.observed < this.s.warmupSteps) return [];
    const events: BalanceEvent[] = [];
    const avg = this.emaDFake;
    if (!this.overpowered && avg < this.s.enterDFake) {
      this.overpowered = true;
      this.lastNoiseChange = e.step;
      events.push({ event: 'balance', step: e.step, action: 'skip-discriminator', value: this.totalSkips, message: `D(G(z)) averages ${avg.toFixed(3)} (< ${this.s.enterDFake}): the discriminator is overpowering the generator, so up to ${this.s.maxConsecutiveSkips} of every ${this.s.maxConsecutiveSkips + 1} D updates are skipped until it climbs above ${this.s.exitDFake}.` });
    } else if (this.overpowered && avg > this.s.exitDFake) {
      this.overpowered = false;
      this.balancedSince = e.step;
      this.lastNoiseChange = e.step;
      events.push({ event: 'balance', step: e.step, action: 'resume-discriminator', value: this.totalSkips, message: `D(G(z)) averages ${avg.toFixed(3)} (> ${this.s.exitDFake}): the gap has closed, so every D update runs again (${this.totalSkips} skipped so far).` });
    } else if (this.overpowered && e.step - this.lastNoiseChange >= this.s.raiseEvery && this.extraNoise < this.s.maxExtraNoise - 1e-9) {
      this.extraNoise = Math.min(this.s.maxExtraNoise, this.extraNoise + this.s.noiseIncrement);
      this.lastNoiseChange = e.step;
      events.push({ event: 'balance', step: e.step, action: 'raise-instance-noise', value: round(this.extraNoise), message: `Skipping D updates has not closed the gap in ${this.s.raiseEvery} steps (D(G(z)) averages ${avg.toFixed(3)}), so adaptive instance noise rises to σ ${round(this.extraNoise)}.` });
    } else if (!this.overpowered && this.extraNoise > 0 && e.step - Math.max(this.lastNoiseChange, this.balancedSince) >= this.s.lowerEvery) {
      this.extraNoise = Math.max(0, this.extraNoise - this.s.noiseIncrement);
      if (this.extraNoise < 1e-9) this.extraNoise = 0;
      this.lastNoiseChange = e.step;
      events.push({ event: 'balance', step: e.step, action: 'lower-instance-noise', value: round(this.extraNoise), message: `Balanced for ${this.s.lowerEvery} steps (D(G(z)) averages ${avg.toFixed(3)}), so adaptive instance noise falls to σ ${round(this.extraNoise)}.` });
    }
    return events;
  }

  /** D updates skipped so far. */
  get skipped(): number { return this.totalSkips; }
  get addedNoise(): number { return this.extraNoise; }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Shared by the webgpu tests: a software GPU adapter on a machine without a GPU. scripts/software-icd.mjs picks
 * it: lavapipe from scripts/install-lavapipe.sh (run-all installs it on first use), else chromium's SwiftShader.
 * Pointing the Vulkan loader at it (VK_ICD_FILENAMES, read when Dawn makes its Vulkan instance, so this runs
 * before the first probe) gives Dawn an adapter.
 *
 * When no adapter can be had the tests skip with a loud reason, except in CI (CI=true), which installs chromium,
 * libvulkan1 and lavapipe: there a missing adapter fails the tests instead.
 */
import { probeWebgpu, type WebgpuProbe } from '../../src/runtime/backend/webgpu';
import { softwareIcdEnv } from '../../scripts/software-icd.mjs';

export const CI = /^(1|true)$/i.test(process.env.CI ?? '');

/** Env for child processes (the CLI) that should see the same adapter. */
export function webgpuEnv(): Record<string, string> {
  return softwareIcdEnv() as Record<string, string>;
}

let probed: Promise<WebgpuProbe> | undefined;

/** Probes once per test file. Returns the skip reason (undefined when webgpu is there), or throws in CI. */
export async function webgpuSkipReason(): Promise<string | undefined> {
  if (!process.env.VK_ICD_FILENAMES && process.platform === 'linux') Object.assign(process.env, webgpuEnv());
  probed ??= probeWebgpu();
  const probe = await probed;
  if (probe.ok) return undefined;
  const reason = `SKIPPED: no WebGPU adapter (${probe.reason}). Install libvulkan1 and run scripts/install-lavapipe.sh (or install chromium, whose SwiftShader is slower) to run these tests.`;
  if (CI) throw new Error(`CI=true, and ${reason.replace('SKIPPED: ', '')}`);
  console.log(`\n!!! ${reason}\n`);
  return reason;
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

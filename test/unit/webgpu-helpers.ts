/**
 * Shared by the webgpu tests: a software GPU adapter (SwiftShader) without any setup. Debian's chromium package
 * installs SwiftShader's Vulkan ICD; pointing the Vulkan loader at it (VK_ICD_FILENAMES, read when Dawn makes
 * its Vulkan instance, so this runs before the first probe) gives Dawn an adapter on a machine without a GPU.
 *
 * When no adapter can be had the tests skip with a loud reason, except in CI (CI=true), which installs chromium
 * and libvulkan1: there a missing adapter fails the tests instead.
 */
import { findSwiftShaderIcd, probeWebgpu, type WebgpuProbe } from '../../src/runtime/backend/webgpu';

export const CI = /^(1|true)$/i.test(process.env.CI ?? '');

/** Env for child processes (the CLI) that should see the same adapter. */
export function webgpuEnv(): Record<string, string> {
  const icd = process.env.VK_ICD_FILENAMES ?? findSwiftShaderIcd();
  return icd ? { VK_ICD_FILENAMES: icd } : {};
}

let probed: Promise<WebgpuProbe> | undefined;

/** Probes once per test file. Returns the skip reason (undefined when webgpu is there), or throws in CI. */
export async function webgpuSkipReason(): Promise<string | undefined> {
  if (!process.env.VK_ICD_FILENAMES && process.platform === 'linux') {
    const icd = findSwiftShaderIcd();
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  probed ??= probeWebgpu();
  const probe = await probed;
  if (probe.ok) return undefined;
  const reason = `SKIPPED: no WebGPU adapter (${probe.reason}). Install chromium (its SwiftShader Vulkan ICD) and libvulkan1 to run these tests.`;
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

// The software Vulkan driver the webgpu tests and the bench point Dawn at on a machine without a GPU
// (VK_ICD_FILENAMES is read when Dawn makes its Vulkan instance, once per process). In order:
//   1. VK_ICD_FILENAMES when it is set: the user's choice;
//   2. lavapipe from scripts/install-lavapipe.sh (.cache/lavapipe, or DCGAN_LAVAPIPE_CACHE): Mesa 25's CPU
//      Vulkan driver, about 10× faster than SwiftShader for tfjs' shaders (docs/gpu.md, "Software adapters");
//   3. chromium's SwiftShader (src/runtime/backend/webgpu.ts findSwiftShaderIcd looks in the same places).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SWIFTSHADER = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];

export function lavapipeIcd() {
  const icd = path.join(process.env.DCGAN_LAVAPIPE_CACHE ?? path.join(root, '.cache', 'lavapipe'), 'lvp_icd.json');
  return fs.existsSync(icd) ? icd : undefined;
}

/** { VK_ICD_FILENAMES } for a child process, or {} when there is nothing to point at (or the user chose). */
export function softwareIcdEnv() {
  if (process.env.VK_ICD_FILENAMES) return { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES };
  const icd = lavapipeIcd() ?? SWIFTSHADER.find((c) => fs.existsSync(c));
  return icd ? { VK_ICD_FILENAMES: icd } : {};
}

/**
 * Runs scripts/install-lavapipe.sh (cached; a second run takes well under a second). True when it is there, or
 * when it is not wanted: the user chose a driver (VK_ICD_FILENAMES), or this is not Linux x86-64 (macOS and
 * Windows have Metal and D3D12 adapters; the script is for Debian).
 */
export function ensureLavapipe() {
  if (process.env.VK_ICD_FILENAMES || process.platform !== 'linux' || process.arch !== 'x64') return true;
  const r = spawnSync('bash', [path.join(root, 'scripts/install-lavapipe.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return r.status === 0;
}

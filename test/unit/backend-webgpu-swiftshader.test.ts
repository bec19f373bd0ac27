// The webgpu parity tests of backend-webgpu.test.ts again, on chromium's SwiftShader: the other webgpu tests run
// on lavapipe (webgpu-helpers.ts), so this keeps the second software adapter covered op by op. This process points
// the Vulkan loader at SwiftShader before anything makes a Dawn instance, then loads the same tests. Where chromium
// is not installed the tests say so and skip (CI installs it, so there they run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSwiftShaderIcd, probeWebgpu } from '../../src/runtime/backend/webgpu';

const icd = findSwiftShaderIcd();
if (icd && !process.env.VK_ICD_FILENAMES) {
  process.env.VK_ICD_FILENAMES = icd;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./backend-webgpu.test');
  test('the adapter those tests ran on is SwiftShader', async () => {
    const probe = await probeWebgpu();
    assert.ok(probe.ok, probe.ok ? '' : probe.reason);
    assert.match(probe.adapter.description, /SwiftShader/);
  });
} else {
  test('webgpu parity on SwiftShader', (t) => t.skip(icd ? `VK_ICD_FILENAMES is already set (${process.env.VK_ICD_FILENAMES})` : 'SKIPPED: chromium\'s SwiftShader ICD is not installed (apt-get install chromium)'));
}

// How an adapter is named in the CLI header, the start event's log line and the dashboard, for the adapters the
// tests meet (SwiftShader, lavapipe) and a hardware one (as Dawn describes an NVIDIA GPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterLabel, backendHeadline } from '../../src/runtime/backend/adapter-label';

const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', software: true };
const lavapipe = { vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', software: true };
const nvidia = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false };

test('a software adapter is called software once, whatever its architecture says', () => {
  assert.equal(adapterLabel(swiftshader), 'SwiftShader driver 5.0.0 (google swiftshader, software)');
  assert.equal(adapterLabel(lavapipe), 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) (mesa software)');
  assert.equal(adapterLabel(nvidia), 'NVIDIA H200 (nvidia hopper)');
});

test('the headline says GPU or software adapter, and the thread count for wasm', () => {
  assert.equal(backendHeadline({ name: 'webgpu', gpu: false, reason: '', adapter: lavapipe }), 'webgpu (software adapter: llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) (mesa software))');
  assert.equal(backendHeadline({ name: 'webgpu', gpu: true, reason: '', adapter: nvidia }), 'webgpu (GPU: NVIDIA H200 (nvidia hopper))');
  assert.equal(backendHeadline({ name: 'wasm', gpu: false, reason: '', threads: 2 }), 'wasm, 2 threads');
});

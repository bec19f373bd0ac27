/** The adapter in words, for the CLI header, the log and the dashboard (no Node imports: the webview uses it). */
import type { BackendInfo, GpuAdapterInfo } from '../events';

/** "SwiftShader driver 5.0.0 (google swiftshader, software)" */
export function adapterLabel(a: GpuAdapterInfo, sayKind = true): string {
  const name = a.description || a.device || 'unnamed adapter';
  const detail = [a.vendor, a.architecture].filter(Boolean).join(' ');
  // lavapipe reports its architecture as "software": say it once.
  const kind = a.software && sayKind && !/\bsoftware\b/i.test(detail) ? 'software' : '';
  const parts = [detail, kind].filter(Boolean).join(', ');
  return parts ? `${name} (${parts})` : name;
}

/** "webgpu (GPU: NVIDIA GeForce RTX 3080 (nvidia ampere))", "wasm, 2 threads", "webgpu (software adapter: …)" */
export function backendHeadline(b: BackendInfo): string {
  let s: string = b.name;
  if (b.adapter) s += ` (${b.adapter.software ? 'software adapter' : 'GPU'}: ${adapterLabel(b.adapter, false)})`;
  else if (b.gpu) s += ' (GPU)';
  if (b.threads) s += `, ${b.threads} thread${b.threads > 1 ? 's' : ''}`;
  return s;
}

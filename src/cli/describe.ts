/**
 * The dataset as a human reads it: where it came from, its statistics, and the range it is fed in after
 * scaling next to the range the generator produces. The scaling line is the one that explains most failed GANs.
 */
import type { DataCheck } from '../runtime/data/lint';
import { bold, dim, short, type Stream } from './output';

export function describeDataCheck(out: Stream, check: DataCheck): string {
  const lines: string[] = [];
  const d = check.dataset;
  const s = check.stats;
  if (d) {
    lines.push(`Dataset: ${bold(out, d.source)} ${dim(out, `(${d.format}, ${d.dtype}, ${d.count} images of ${d.height}×${d.width}×${d.channels})`)}`);
  } else if (s) {
    lines.push(`Dataset: ${s.dtype}, shape [${s.shape.join(', ')}]`);
  }
  if (s) {
    lines.push(`  min ${short(s.min)}  max ${short(s.max)}  mean ${short(s.mean)}  std ${short(s.std)}  count ${s.count}  shape [${s.shape.join(', ')}]  dtype ${s.dtype}`);
    const extra = [
      s.nanCount ? `NaN ${s.nanCount}` : '',
      s.infCount ? `Inf ${s.infCount}` : '',
      s.constantImages ? `constant images ${s.constantImages}` : '',
    ].filter(Boolean);
    if (extra.length) lines.push(`  ${extra.join('  ')}`);
  }
  if (check.scaling) lines.push(`  Scaling: ${describeScaling(check.scaling)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

export function describeScaling(sc: NonNullable<DataCheck['scaling']>): string {
  const fed = sc.fedMin !== undefined && sc.fedMax !== undefined ? `fed as [${short(sc.fedMin)}, ${short(sc.fedMax)}]` : '';
  const target = sc.target ? `generator outputs [${short(sc.target[0])}, ${short(sc.target[1])}]` : '';
  const map = sc.scale === 1 && sc.offset === 0 ? 'as stored' : `x·${short(sc.scale)} ${sc.offset < 0 ? '−' : '+'} ${short(Math.abs(sc.offset))}`;
  return [sc.description ?? map, fed, target].filter(Boolean).join('; ');
}

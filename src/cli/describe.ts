/**
 * The dataset as a human reads it: where it came from, its statistics, and the range it is fed in after
 * scaling next to the range the generator produces. The scaling line is the one that explains most failed GANs.
 */
import type { DataCheck } from '../runtime/data/lint';
import { bold, dim, red, short, type Stream } from './output';

export function describeDataCheck(out: Stream, check: DataCheck, activation: 'tanh' | 'sigmoid' = 'tanh', source?: string): string {
  const lines: string[] = [];
  const s = check.stats;
  if (!s) return '';
  const [count, height, width, channels] = s.shape;
  lines.push(`Dataset: ${bold(out, source ?? 'data')} ${dim(out, `(${s.dtype}, ${count} images of ${height}×${width}×${channels})`)}`);
  lines.push(`  min ${short(s.min)}  max ${short(s.max)}  mean ${short(s.mean)}  std ${short(s.std)}  count ${count}  shape [${s.shape.join(', ')}]  dtype ${s.dtype}`);
  const extra = [s.nanCount ? `NaN ${s.nanCount}` : '', s.infCount ? `Inf ${s.infCount}` : '', s.constantImages.count ? `constant images ${s.constantImages.count}` : ''].filter(Boolean);
  if (extra.length) lines.push(`  ${extra.join('  ')}`);
  if (s.sampled) lines.push(dim(out, `  Statistics from a fixed random sample of ${s.sampled.count.toLocaleString('en-US')} of the ${s.sampled.of.toLocaleString('en-US')} images, the same sample training checks (lint --full decodes them all).`));
  if (check.scaling) {
    const sc = check.scaling;
    const fed: [number, number] = [s.min * sc.scale + sc.offset, s.max * sc.scale + sc.offset];
    const target: [number, number] = activation === 'tanh' ? [-1, 1] : [0, 1];
    const outside = fed[0] < target[0] - 1e-3 || fed[1] > target[1] + 1e-3;
    const fedText = `fed as [${short(fed[0])}, ${short(fed[1])}]`;
    lines.push(`  Scaling: ${sc.description}; ${outside ? red(out, fedText) : fedText}; the ${activation} generator outputs [${target[0]}, ${target[1]}]`);
  }
  return lines.join('\n') + '\n';
}

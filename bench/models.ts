/**
 * The models the speed bench and the per-kernel profiler run, shared by both sides (bench/harness.ts passes
 * the same figures to bench/torch_dcgan.py):
 *
 *   tutorial  28×28×1, the TensorFlow DCGAN tutorial's networks (64/64 filters, dropout 0.3), batch 64
 *   default   28×28×1, the schema's defaults (16/16 filters, batch 32)
 *   rgb32     32×32×3, the DCGAN paper's networks (pytorch/examples/dcgan: 4×4 kernels, ngf = ndf = 64), batch 64
 *   paper64   64×64×3, the same networks one stage deeper (the paper's model), batch 64
 *
 * The 28×28 models train on the MNIST digits; the RGB ones on a synthetic uint8 .npy (speed does not depend on
 * the pixels), written once to .bench/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DcganConfig } from '../src/runtime/config/types';

export type BenchModel = 'tutorial' | 'default' | 'rgb32' | 'paper64';
export const BENCH_MODELS: BenchModel[] = ['tutorial', 'default', 'rgb32', 'paper64'];

export interface ModelPreset {
  size: number;
  channels: number;
  label: string;
}

export const PRESETS: Record<BenchModel, ModelPreset> = {
  tutorial: { size: 28, channels: 1, label: '28×28 TF tutorial (64/64 filters)' },
  default: { size: 28, channels: 1, label: '28×28 default (16/16 filters)' },
  rgb32: { size: 32, channels: 3, label: '32×32×3 DCGAN paper nets (ngf = ndf = 64)' },
  paper64: { size: 64, channels: 3, label: '64×64×3 DCGAN paper (ngf = ndf = 64)' },
};

export const SYNTHETIC_COUNT = 512;

/** Applies a preset to a default config. `dataDir` holds the synthetic RGB arrays (see syntheticNpy). */
export function applyPreset(config: DcganConfig, model: BenchModel, dataDir: string): DcganConfig {
  const p = PRESETS[model];
  if (model === 'default') return config;
  config.model.generatorFilters = 64;
  config.model.discriminatorFilters = 64;
  config.training.batchSize = 64;
  if (model === 'tutorial') {
    config.model.discriminatorDropout = 0.3;
  } else {
    // The paper's discriminator has no dropout.
    config.model.discriminatorDropout = 0;
    config.data.path = syntheticNpy(dataDir, p.size, p.channels);
    config.data.scale = 'auto';
  }
  return config;
}

/** A deterministic uint8 [SYNTHETIC_COUNT, size, size, channels] .npy of smooth colour blobs plus noise. */
/** A .npy v1.0 header (magic, version, length, the dict padded to 64 bytes) for a C-order array. */
export function npyHeader(descr: '|u1' | '<f4', shape: number[]): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre, 0);
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1')]);
}

export function syntheticNpy(dir: string, size: number, channels: number): string {
  const file = path.join(dir, `synthetic-${size}x${size}x${channels}.npy`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const per = size * size * channels;
  const pixels = new Uint8Array(SYNTHETIC_COUNT * per);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < SYNTHETIC_COUNT; i++) {
    const cx = rand() * size, cy = rand() * size, r = (0.15 + 0.3 * rand()) * size;
    const colour = [rand(), rand(), rand()];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (r * r));
        for (let c = 0; c < channels; c++) pixels[i * per + (y * size + x) * channels + c] = Math.min(255, Math.round(255 * (0.1 + 0.8 * inside * colour[c % 3]) + 20 * rand()));
      }
    }
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([npyHeader('|u1', [SYNTHETIC_COUNT, size, size, channels]), Buffer.from(pixels.buffer)]));
  fs.renameSync(tmp, file);
  return file;
}

/** The same synthetic pixels as float32 in [0, 1], NHWC, raw little-endian: what bench/torch_dcgan.py reads. */
export function syntheticFloat32(dir: string, size: number, channels: number): string {
  const file = path.join(dir, `synthetic-${size}x${size}x${channels}.f32`);
  if (fs.existsSync(file)) return file;
  const npy = fs.readFileSync(syntheticNpy(dir, size, channels));
  const offset = 10 + npy.readUInt16LE(8);
  const u8 = npy.subarray(offset);
  const f = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) f[i] = u8[i] / 255;
  fs.writeFileSync(file, Buffer.from(f.buffer));
  return file;
}

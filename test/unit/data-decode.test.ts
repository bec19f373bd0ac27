// Decoding and resizing against torchvision. test/fixtures/images/ holds real files written by PIL (progressive,
// CMYK, gray, EXIF-rotated JPEGs; RGB, palette, gray+alpha, RGBA, 16-bit PNGs) and torchvision 0.14's Resize(32) +
// CenterCrop(32) of each (make_images.py). Each decoder here (the native one when installed, and pure JS) is held
// to it; the resize alone, on identical pixels, must match bit for bit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImageFile, decoderName, type DecoderChoice } from '../../src/runtime/data/decode';
import { resizeCrop } from '../../src/runtime/data/resize';
import { DatasetError } from '../../src/runtime/data/types';

const dir = path.join(__dirname, '..', 'fixtures', 'images');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'torchvision.json'), 'utf8')) as {
  size: number;
  references: Record<string, string>;
  resizeSource: { width: number; height: number; sizes: Record<string, { rgb: string; gray: string }> };
};
const ref = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

function diff(a: Uint8Array, b: Uint8Array): { mad: number; max: number } {
  assert.equal(a.length, b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { mad: sum / a.length, max };
}

function ours(file: string, decoder: DecoderChoice): Uint8Array {
  const out = new Uint8Array(manifest.size * manifest.size * 3);
  resizeCrop(decodeImageFile(path.join(dir, file), decoder), manifest.size, 3, out, 0);
  return out;
}

const native = decoderName('auto').includes('native');
const decoders: DecoderChoice[] = native ? ['auto', 'js'] : ['js'];

describe('resize', () => {
  it('is torchvision Resize + CenterCrop bit for bit (PIL bilinear, antialiased), shrinking and enlarging, RGB and L', () => {
    const { width, height, sizes } = manifest.resizeSource;
    const src = new Uint8Array(fs.readFileSync(path.join(dir, 'resize-source.rgb')));
    for (const [size, want] of Object.entries(sizes)) {
      const s = Number(size);
      for (const channels of [3, 1] as const) {
        const out = new Uint8Array(s * s * channels);
        resizeCrop({ width, height, channels: 3, data: src }, s, channels, out, 0);
        assert.deepEqual(diff(out, ref(channels === 3 ? want.rgb : want.gray)), { mad: 0, max: 0 }, `${width}×${height} → ${s}, ${channels} channel(s)`);
      }
    }
  });
});

describe('decoders against torchvision', () => {
  it(`the native decoder is ${native ? 'installed here' : 'not installed here: pure JS only'} (${decoderName('auto')})`, () => {
    assert.equal(decoderName('js'), 'jpeg-js + pngjs (pure JS)');
  });

  for (const decoder of decoders) {
    const name = decoder === 'js' ? 'pure JS' : 'native';
    it(`${name}: PNGs (RGB, palette, gray+alpha, RGBA) match exactly; 16-bit keeps its high byte`, (t) => {
      for (const f of ['rgb.png', 'palette.png', 'gray-alpha.png', 'rgba.png']) {
        assert.deepEqual(diff(ours(f, decoder), ref(manifest.references[f])), { mad: 0, max: 0 }, f);
      }
      // pngjs rounds 16 → 8 bits (v·255/65535) where PIL and the native decoder take the high byte: at most 1 level.
      const d16 = diff(ours('gray16.png', decoder), ref(manifest.references['gray16.png']));
      t.diagnostic(`gray16.png: mean abs difference ${d16.mad.toFixed(3)}, max ${d16.max}`);
      assert.ok(decoder === 'js' ? d16.max <= 1 : d16.max === 0, `gray16.png ${JSON.stringify(d16)}`);
    });

    it(`${name}: JPEGs (baseline, progressive, CMYK, gray) within 1 level (1/255) on average`, (t) => {
      for (const f of ['baseline.jpg', 'progressive.jpg', 'cmyk.jpg', 'gray.jpg']) {
        const d = diff(ours(f, decoder), ref(manifest.references[f]));
        t.diagnostic(`${f}: mean abs difference ${d.mad.toFixed(3)} levels (${(d.mad / 255).toFixed(5)} of the range), max ${d.max}`);
        // 1/255 of the range is one level. Neither decoder is libjpeg-turbo: zune-jpeg (native) differs from PIL's
        // pixels by about 0.36 levels, jpeg-js's chroma upsampling by about 0.7, after the resize.
        assert.ok(d.mad < 1, `${f}: ${JSON.stringify(d)}`);
      }
    });

    it(`${name}: an EXIF-rotated JPEG is not rotated (as PIL, and so torchvision, leave it)`, () => {
      assert.deepEqual(ours('exif-rotated.jpg', decoder), ours('baseline.jpg', decoder));
    });

    it(`${name}: a truncated JPEG or PNG is data/unreadable naming the file, as PIL refuses it`, () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-decode-'));
      try {
        for (const f of ['baseline.jpg', 'progressive.jpg', 'rgb.png']) {
          const bytes = fs.readFileSync(path.join(dir, f));
          const cut = path.join(tmp, `cut-${f}`);
          fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
          assert.throws(() => decodeImageFile(cut, decoder), (e: unknown) => e instanceof DatasetError && e.problem.code === 'data/unreadable' && e.problem.file === cut && e.message.includes(cut), f);
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

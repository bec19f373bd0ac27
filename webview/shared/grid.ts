/**
 * Draws a sample grid on a canvas: raw pixels from a live run (no PNG round trip) or a PNG by URI.
 * Grids are small (a 28×28 image per cell), so they are scaled up by an integer factor with smoothing off:
 * blurred samples would hide exactly the artefacts a user is looking for.
 */
import type { GridPayload } from '../../src/protocol';

export function toImageData(g: Extract<GridPayload, { kind: 'pixels' }>): ImageData {
  const n = g.width * g.height;
  if (g.data.length !== n * g.channels) {
    throw new Error(`grid of ${g.width}×${g.height}×${g.channels} needs ${n * g.channels} bytes, got ${g.data.length}`);
  }
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    if (g.channels === 1) {
      const v = g.data[i];
      rgba[4 * i] = v; rgba[4 * i + 1] = v; rgba[4 * i + 2] = v;
    } else {
      rgba[4 * i] = g.data[g.channels * i];
      rgba[4 * i + 1] = g.data[g.channels * i + 1];
      rgba[4 * i + 2] = g.data[g.channels * i + 2];
    }
    rgba[4 * i + 3] = 255;
  }
  return new ImageData(rgba, g.width, g.height);
}

function loadImage(uri: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load the sample grid ${uri}`));
    img.src = uri;
  });
}

/** Integer upscaling that fits `maxCssWidth`, in device pixels so that a HiDPI screen stays sharp. */
function scaleFor(width: number, maxCssWidth: number): number {
  const dpr = window.devicePixelRatio || 1;
  return Math.max(1, Math.floor((maxCssWidth * dpr) / width));
}

/**
 * Draws `image` into `canvas`, at most `maxCssWidth` CSS pixels wide. Resolves when drawn; rejects (leaving
 * the previous grid) when a PNG fails to load.
 */
export async function drawGrid(canvas: HTMLCanvasElement, image: GridPayload, maxCssWidth: number): Promise<void> {
  let source: CanvasImageSource;
  let w: number;
  let h: number;
  if (image.kind === 'pixels') {
    const off = document.createElement('canvas');
    off.width = image.width;
    off.height = image.height;
    off.getContext('2d')!.putImageData(toImageData(image), 0, 0);
    source = off;
    w = image.width;
    h = image.height;
  } else {
    const img = await loadImage(image.uri);
    source = img;
    w = img.naturalWidth;
    h = img.naturalHeight;
  }
  const k = scaleFor(w, maxCssWidth);
  canvas.width = w * k;
  canvas.height = h * k;
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${(w * k) / dpr}px`;
  canvas.style.height = `${(h * k) / dpr}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, w * k, h * k);
}

/*
 * The two passes of Pillow's 8-bit resampling (libImaging/Resample.c, Pillow 9.4: ImagingResampleHorizontal_8bpc
 * and ImagingResampleVertical_8bpc), with 128-bit SIMD. resize.ts computes the coefficients (in double, as Pillow
 * does) and calls these on the rows and columns that survive the center crop; the arithmetic is Pillow's integer
 * arithmetic, so the result is the same to the bit. Built to resample.wasm by build-resample.sh (clang, wasm32).
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

static inline uint8_t clip8(int32_t v) {
  if (v >= (1 << (PRECISION_BITS + 8))) return 255;
  if (v <= 0) return 0;
  return (uint8_t)(v >> PRECISION_BITS);
}

/*
 * rows × size outputs of `channels` (1 or 3) bytes: out[r][x] = Σ_k src[rowFirst + r][bounds[2x] + k] · kk[x·ksize + k].
 * The source must have 4 readable bytes past its last pixel (an RGB pixel is loaded as 4 bytes).
 */
void horizontal(const uint8_t *src, int width, int channels, int rowFirst, int rows, int size, const int32_t *bounds, const int32_t *kk, int ksize, uint8_t *out) {
  for (int r = 0; r < rows; r++) {
    const uint8_t *row = src + (rowFirst + r) * width * channels;
    uint8_t *o = out + r * size * channels;
    for (int x = 0; x < size; x++) {
      const int xmin = bounds[2 * x], n = bounds[2 * x + 1];
      const int32_t *k = kk + x * ksize;
      if (channels == 3) {
        v128_t acc = wasm_i32x4_splat(HALF);
        const uint8_t *p = row + xmin * 3;
        for (int i = 0; i < n; i++, p += 3) {
          v128_t px = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
          acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px, wasm_i32x4_splat(k[i])));
        }
        o[3 * x] = clip8(wasm_i32x4_extract_lane(acc, 0));
        o[3 * x + 1] = clip8(wasm_i32x4_extract_lane(acc, 1));
        o[3 * x + 2] = clip8(wasm_i32x4_extract_lane(acc, 2));
      } else {
        int32_t acc = HALF;
        const uint8_t *p = row + xmin;
        for (int i = 0; i < n; i++) acc += p[i] * k[i];
        o[x] = clip8(acc);
      }
    }
  }
}

/*
 * size rows of `stride` bytes: out[y][i] = Σ_k src[bounds[2y] - rowFirst + k][i] · kk[y·ksize + k]. `stride` is a
 * multiple of 16 or the tail is done one byte at a time.
 */
void vertical(const uint8_t *src, int stride, int rowFirst, int size, const int32_t *bounds, const int32_t *kk, int ksize, uint8_t *out) {
  for (int y = 0; y < size; y++) {
    const int ymin = bounds[2 * y] - rowFirst, n = bounds[2 * y + 1];
    const int32_t *k = kk + y * ksize;
    uint8_t *o = out + y * stride;
    int i = 0;
    for (; i + 16 <= stride; i += 16) {
      v128_t a0 = wasm_i32x4_splat(HALF), a1 = a0, a2 = a0, a3 = a0;
      for (int j = 0; j < n; j++) {
        const v128_t w = wasm_i32x4_splat(k[j]);
        const v128_t v = wasm_v128_load(src + (ymin + j) * stride + i);
        const v128_t lo = wasm_u16x8_extend_low_u8x16(v), hi = wasm_u16x8_extend_high_u8x16(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), w));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), w));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), w));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), w));
      }
      int32_t lanes[16];
      wasm_v128_store(lanes, a0);
      wasm_v128_store(lanes + 4, a1);
      wasm_v128_store(lanes + 8, a2);
      wasm_v128_store(lanes + 12, a3);
      for (int l = 0; l < 16; l++) o[i + l] = clip8(lanes[l]);
    }
    for (; i < stride; i++) {
      int32_t acc = HALF;
      for (int j = 0; j < n; j++) acc += src[(ymin + j) * stride + i] * k[j];
      o[i] = clip8(acc);
    }
  }
}

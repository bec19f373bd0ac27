import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frechetDistance, gaussianStats, symmetricEigen, symmetricSqrt } from '../../src/runtime/eval/frechet';

function gaussian(mean: number[], cov: number[][]) {
  return { dim: mean.length, mean: Float64Array.from(mean), cov: Float64Array.from(cov.flat()) };
}

test('Jacobi eigen-decomposition reconstructs a symmetric matrix and finds its eigenvalues', () => {
  // Eigenvalues of [[2,1,0],[1,2,1],[0,1,2]] are 2 − √2, 2, 2 + √2.
  const a = [2, 1, 0, 1, 2, 1, 0, 1, 2];
  const { values, vectors } = symmetricEigen(a, 3);
  const sorted = [...values].sort((x, y) => x - y);
  [2 - Math.SQRT2, 2, 2 + Math.SQRT2].forEach((v, i) => assert.ok(Math.abs(sorted[i] - v) < 1e-12, `eigenvalue ${i}: ${sorted[i]} vs ${v}`));
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k];
    assert.ok(Math.abs(s - a[i * 3 + j]) < 1e-12);
  }
});

test('symmetric square root squares back, and clamps a singular matrix', () => {
  const a = [4, 2, 2, 3];
  const r = symmetricSqrt(a, 2);
  const sq = [r[0] * r[0] + r[1] * r[2], r[0] * r[1] + r[1] * r[3], r[2] * r[0] + r[3] * r[2], r[2] * r[1] + r[3] * r[3]];
  sq.forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-12));
  const singular = symmetricSqrt([1, 1, 1, 1], 2); // rank 1: sqrt = A/√2
  singular.forEach((v) => assert.ok(Math.abs(v - Math.SQRT1_2) < 1e-9));
});

test('Fréchet distance matches the closed form for diagonal covariances', () => {
  // d² = |μ₁−μ₂|² + Σ (√a − √b)²
  const x = gaussian([0, 1, 2], [[4, 0, 0], [0, 1, 0], [0, 0, 9]]);
  const y = gaussian([1, 1, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 4]]);
  const expected = 1 + 0 + 4 + (2 - 1) ** 2 + 0 + (3 - 2) ** 2;
  assert.ok(Math.abs(frechetDistance(x, y) - expected) < 1e-10);
  assert.ok(Math.abs(frechetDistance(y, x) - expected) < 1e-10, 'symmetric');
  assert.ok(frechetDistance(x, x) < 1e-10, 'zero against itself');
});

test('Fréchet distance matches the 2×2 closed form for non-commuting covariances', () => {
  // For 2×2 PSD A, B: Tr (AB)^½ = √(tr(AB) + 2√(det A · det B)).
  const A = [[2, 0.5], [0.5, 1]];
  const B = [[1, -0.7], [-0.7, 3]];
  const trAB = A[0][0] * B[0][0] + A[0][1] * B[1][0] + A[1][0] * B[0][1] + A[1][1] * B[1][1];
  const det = (m: number[][]) => m[0][0] * m[1][1] - m[0][1] * m[1][0];
  const traceRoot = Math.sqrt(trAB + 2 * Math.sqrt(det(A) * det(B)));
  const expected = 0.5 ** 2 + 2 ** 2 + (2 + 1 + 1 + 3) - 2 * traceRoot;
  const got = frechetDistance(gaussian([0, 0], A), gaussian([0.5, -2], B));
  assert.ok(Math.abs(got - expected) < 1e-10, `${got} vs ${expected}`);
});

test('gaussianStats gives the unbiased mean and covariance', () => {
  const features = [1, 2, 3, 6, 5, 4]; // three 2-d samples: (1,2), (3,6), (5,4)
  const s = gaussianStats(features, 3, 2);
  assert.deepEqual(Array.from(s.mean), [3, 4]);
  // var x = ((−2)² + 0 + 2²)/2 = 4; var y = ((−2)² + 2² + 0)/2 = 4; cov = ((−2)(−2) + 0·2 + 2·0)/2 = 2
  assert.deepEqual(Array.from(s.cov), [4, 2, 2, 4]);
  assert.throws(() => gaussianStats([1, 2], 1, 2), /at least 2 samples/);
});

test('Fréchet distance of two 64-d sample sets from one distribution is small, and grows with a shift', () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const sample = (n: number, shift: number) => Float64Array.from({ length: n * 64 }, (_, i) => normal() * (1 + (i % 64) / 64) + shift);
  const a = gaussianStats(sample(2000, 0), 2000, 64);
  const b = gaussianStats(sample(2000, 0), 2000, 64);
  const c = gaussianStats(sample(2000, 0.5), 2000, 64);
  const same = frechetDistance(a, b);
  const shifted = frechetDistance(a, c);
  assert.ok(same < 3, `same distribution: ${same}`);
  // The shift alone contributes 64 · 0.25 = 16.
  assert.ok(Math.abs(shifted - same - 16) < 3, `shifted: ${shifted}`);
});

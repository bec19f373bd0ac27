/**
 * Fréchet distance between two Gaussians fitted to feature vectors (the FID formula, in the MNIST classifier's
 * 64 penultimate features rather than Inception's 2048):
 *
 *   d² = |μ₁ − μ₂|² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)
 *
 * Σ₁Σ₂ is not symmetric, so its square root is not taken directly. Its eigenvalues equal those of the
 * symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½, so Tr (Σ₁Σ₂)^½ = Σᵢ √λᵢ(Σ₁^½ Σ₂ Σ₁^½), and every step needs only the
 * eigen-decomposition of a symmetric matrix, done here with cyclic Jacobi rotations in float64 (robust for
 * singular covariances, which ReLU features with dead units produce).
 */

export interface GaussianStats {
  /** Number of samples the stats were computed from. */
  count: number;
  dim: number;
  mean: Float64Array;
  /** Row-major dim × dim, unbiased (divided by count − 1). */
  cov: Float64Array;
}

/** Mean and covariance of `count` row-major feature vectors of length `dim`. */
export function gaussianStats(features: ArrayLike<number>, count: number, dim: number): GaussianStats {
  if (count < 2) throw new Error(`Fréchet statistics need at least 2 samples, got ${count}.`);
  if (features.length < count * dim) throw new Error(`Expected ${count}×${dim} features, got ${features.length} values.`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (count - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { count, dim, mean, cov };
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues and eigenvectors as columns of a row-major matrix (A = V diag(λ) Vᵀ).
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number, maxSweeps = 100): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix as ArrayLike<number>);
  // Average with the transpose: covariances built by summation can be asymmetric in the last bits.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const s = 0.5 * (a[i * n + j] + a[j * n + i]);
    a[i * n + j] = s;
    a[j * n + i] = s;
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i];
  const tolerance = 1e-22 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, sym.schur2), in the numerically stable form.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** Square root of a symmetric PSD matrix; tiny negative eigenvalues from rounding are clamped to 0. */
export function symmetricSqrt(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(0, values[k]));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return out;
}

function matMul(a: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const aik = a[i * n + k];
    if (aik === 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
  }
  return out;
}

export function frechetDistance(x: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>, y: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>): number {
  const n = x.dim;
  if (y.dim !== n) throw new Error(`Fréchet distance between ${n}- and ${y.dim}-dimensional features.`);
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (x.mean[i] - y.mean[i]) ** 2;
  const rootX = symmetricSqrt(x.cov, n);
  const middle = matMul(matMul(rootX, y.cov, n), rootX, n);
  const { values } = symmetricEigen(middle, n);
  let traceRoot = 0;
  for (const v of values) traceRoot += Math.sqrt(Math.max(0, v));
  let trace = 0;
  for (let i = 0; i < n; i++) trace += x.cov[i * n + i] + y.cov[i * n + i];
  // Rounding can take a distance between nearly equal Gaussians a hair below 0.
  return Math.max(0, meanTerm + trace - 2 * traceRoot);
}

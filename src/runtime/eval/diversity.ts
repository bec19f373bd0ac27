/**
 * Diversity of a batch of images: the mean, over all pairs, of the root-mean-square per-pixel difference
 *   diversity = mean_{i<j} sqrt( |x_i − x_j|² / D )      (D = pixels × channels)
 * in the units the images are given in (the generator's output range). Dividing by D makes it independent of
 * image size; the health monitor only compares it with its own earlier values, so the range does not matter
 * there. A collapsed generator (every z → the same image) scores 0.
 */
import type * as tfc from '@tensorflow/tfjs-core';

type TF = typeof tfc;

/** Async because GPU backends (webgpu) cannot read back synchronously in Node. */
export async function diversity(tf: TF, images: tfc.Tensor4D | tfc.Tensor): Promise<number> {
  const n = images.shape[0];
  if (n < 2) return 0;
  const d = images.size / n;
  const result = tf.tidy(() => {
    const x = tf.cast(tf.reshape(images, [n, d]), 'float32') as tfc.Tensor2D;
    // |xi − xj|² = |xi|² + |xj|² − 2 xi·xj, from one Gram matrix instead of n² subtractions.
    const gram = tf.matMul(x, x, false, true);
    const sq = tf.sum(tf.square(x), 1);
    const dist2 = tf.relu(tf.sub(tf.add(tf.reshape(sq, [n, 1]), tf.reshape(sq, [1, n])), tf.mul(gram, 2)));
    // The diagonal is 0 in exact arithmetic; float32 rounding leaves ~1e-4 there, so mask it.
    const offDiagonal = tf.sub(1, tf.eye(n));
    const rms = tf.mul(tf.sqrt(tf.div(dist2, d)), offDiagonal);
    // Summing the whole matrix counts each pair twice.
    return tf.div(tf.sum(rms), n * (n - 1));
  });
  const value = (await result.data())[0];
  result.dispose();
  return value;
}

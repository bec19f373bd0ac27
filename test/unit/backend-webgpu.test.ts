// The webgpu backend against the pure-JS cpu backend (tfjs' reference), op by op, forward values and gradients,
// for every op the trainer, sampler and eval run: on a software adapter here and in CI (lavapipe, else SwiftShader: webgpu-helpers.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '../../src/runtime/backend/select';
import { releaseWebgpu } from '../../src/runtime/backend/webgpu';
import { ADDN_MAX_INPUTS } from '../../src/runtime/backend/webgpu-kernels';
import { batchNorm, conv, convTranspose, dense } from '../../src/runtime/model/layers';
import { diversity } from '../../src/runtime/eval/diversity';
import { maxRelDiff, webgpuSkipReason } from './webgpu-helpers';

let skip: string | undefined;
before(async () => {
  skip = await webgpuSkipReason();
});

type Outputs = Record<string, Float32Array>;
type Case = { name: string; tol: number; run: () => Promise<Outputs> };

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Runs f in a tidy, reads every output back asynchronously (webgpu cannot read synchronously in Node). */
async function read(f: () => Record<string, tf.Tensor>): Promise<Outputs> {
  const ts = tf.tidy(f);
  const out: Outputs = {};
  for (const [k, t] of Object.entries(ts)) out[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(ts));
  return out;
}

/** Value and gradients of sum(f(inputs) · upstream) with respect to every input. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): Record<string, tf.Tensor> {
  const y = f(...inputs);
  const up = rnd(y.shape, seed);
  const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), up)))(inputs);
  return Object.fromEntries([['y', y], ...gs.map((g, i) => [`d${i}`, g])]);
}

const convCases: [string, number[], number, number, number][] = [
  // name, x shape, kernel, out channels, stride: the shapes of the default 28×28 and the 64×64 DCGAN layers.
  ['5×5 s2, 1 → 4 channels (D layer 1)', [2, 12, 12, 1], 5, 4, 2],
  ['5×5 s2, 4 → 8 channels (D layer 2)', [2, 8, 8, 4], 5, 8, 2],
  ['5×5 s1, 8 → 4 channels', [2, 7, 7, 8], 5, 4, 1],
  ['4×4 s2, 3 → 5 channels (DCGAN)', [2, 8, 8, 3], 4, 5, 2],
];

const cases: Case[] = [
  ...convCases.map(([name, xs, k, cout, s], i): Case => ({
    name: `conv2d ${name}: forward, dx, dW, bias`,
    tol: 1e-3,
    run: () => read(() => {
      const x = rnd(xs, 10 + i) as tf.Tensor4D;
      const w = tf.variable(rnd([k, k, xs[3], cout], 20 + i));
      const b = tf.variable(rnd([cout], 30 + i));
      const out = withGrads((a, kk, bb) => conv(tf, a as tf.Tensor4D, kk as tf.Variable, s, bb as tf.Variable), [x, w, b], 40 + i);
      tf.dispose([w, b]);
      return out;
    }),
  })),
  ...convCases.map(([name, xs, k, cout, s], i): Case => ({
    name: `conv2dTranspose ${name.replace('→', '←')}: forward, dx, dW`,
    tol: 1e-3,
    run: () => read(() => {
      // The generator's layer: x [N,H,W,cout] → [N,H·s,W·s,Cin] with kernel [k,k,Cin,cout].
      const x = rnd([xs[0], Math.ceil(xs[1] / s), Math.ceil(xs[2] / s), cout], 50 + i) as tf.Tensor4D;
      const w = tf.variable(rnd([k, k, xs[3], cout], 60 + i));
      const out = withGrads((a, kk) => convTranspose(tf, a as tf.Tensor4D, kk as tf.Variable, s), [x, w], 70 + i);
      w.dispose();
      return out;
    }),
  })),
  {
    name: 'batchNorm (batch statistics), 4-D and 2-D: forward, dx, dγ, dβ',
    tol: 1e-3,
    run: () => read(() => {
      const bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNorm(tf, x, { gamma: g as tf.Variable, beta: b as tf.Variable });
      const four = withGrads(bn, [rnd([4, 5, 5, 6], 80), rnd([6], 81), rnd([6], 82)], 83);
      const two = withGrads(bn, [rnd([8, 20], 84), rnd([20], 85), rnd([20], 86)], 87);
      return { ...prefix('4d', four), ...prefix('2d', two) };
    }),
  },
  {
    name: 'dense / matMul (with transposes): forward and gradients',
    tol: 1e-3,
    run: () => read(() => {
      const z = rnd([6, 10], 90);
      const w = tf.variable(rnd([10, 49], 91));
      const b = tf.variable(rnd([49], 92));
      const fwd = withGrads((a, k, bb) => dense(tf, a as tf.Tensor2D, k as tf.Variable, bb as tf.Variable), [z, w, b], 93);
      tf.dispose([w, b]);
      const a = rnd([7, 5], 94);
      const c = rnd([7, 9], 95);
      return { ...prefix('dense', fwd), aTc: tf.matMul(a, c, true, false), acT: tf.matMul(c, rnd([6, 9], 96), false, true) };
    }),
  },
  {
    name: 'activations: leakyRelu, relu, tanh, sigmoid: forward and gradients',
    tol: 1e-4,
    run: () => read(() => {
      const x = tf.mul(rnd([3, 4, 4, 2], 100), 3);
      return {
        ...prefix('leaky', withGrads((a) => tf.leakyRelu(a, 0.2), [x], 101)),
        ...prefix('relu', withGrads((a) => tf.relu(a), [x], 102)),
        ...prefix('tanh', withGrads((a) => tf.tanh(a), [x], 103)),
        ...prefix('sigmoid', withGrads((a) => tf.sigmoid(a), [x], 104)),
      };
    }),
  },
  {
    name: "the trainer's loss (BCE with logits), mean(sigmoid), global gradient norm over 11 terms (AddN)",
    tol: 1e-4,
    run: () => read(() => {
      const bce = (logits: tf.Tensor, target: tf.Tensor | number) =>
        tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
      const logits = tf.mul(rnd([16, 1], 110), 4);
      const targets = tf.cast(tf.greater(rnd([16, 1], 111), 0), 'float32');
      const lossGrads = withGrads((l) => bce(l, targets), [logits], 112);
      const terms = Array.from({ length: 11 }, (_, i) => tf.sum(tf.square(rnd([3 + i], 120 + i))));
      assert.ok(terms.length > ADDN_MAX_INPUTS, 'the AddN case must exceed one dispatch');
      return { ...prefix('bce', lossGrads), bceConst: bce(logits, 0.9), meanSigmoid: tf.mean(tf.sigmoid(logits)), norm: tf.sqrt(tf.addN(terms)) };
    }),
  },
  {
    name: 'Adam: three updates of two variables (the optimizer state and the weights)',
    tol: 1e-4,
    run: async () => {
      const w = tf.variable(rnd([5, 5, 2, 3], 130));
      const b = tf.variable(rnd([3], 131));
      const x = rnd([2, 6, 6, 2], 132) as tf.Tensor4D;
      const opt: tf.Optimizer = tf.train.adam(2e-4, 0.5, 0.999);
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), b))) as tf.Scalar, [w, b]);
        opt.applyGradients(grads);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const out = await read(() => ({ w: w.clone(), b: b.clone() }));
      tf.dispose([w, b, x]);
      opt.dispose();
      return out;
    },
  },
  {
    name: 'diversity (eval and the mode-collapse check)',
    tol: 1e-4,
    run: async () => {
      const imgs = rnd([6, 8, 8, 1], 140);
      const d = await diversity(tf, imgs);
      imgs.dispose();
      return { diversity: new Float32Array([d]) };
    },
  },
];

function prefix(p: string, m: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`${p}.${k}`, v]));
}

test('every op the trainer, sampler and eval use matches the cpu backend on webgpu, values and gradients', async (t) => {
  if (skip) return t.skip(skip);
  await tf.setBackend('cpu');
  const ref: Outputs[] = [];
  // tfjs' Adam keeps one tensor per variable after dispose() on every backend (measured on cpu): compare counts.
  const cpuLeaks: number[] = [];
  for (const c of cases) {
    const before = tf.memory().numTensors;
    ref.push(await c.run());
    cpuLeaks.push(tf.memory().numTensors - before);
  }

  const backend = await selectBackend('webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assert.equal(backend.info.name, 'webgpu');
  assert.ok(backend.info.adapter, 'the backend report names the adapter');
  for (const [i, c] of cases.entries()) {
    const before = tf.memory().numTensors;
    const got = await c.run();
    assert.equal(tf.memory().numTensors - before, cpuLeaks[i], `${c.name}: leaked tensors on webgpu (cpu: ${cpuLeaks[i]})`);
    assert.deepEqual(Object.keys(got), Object.keys(ref[i]), c.name);
    for (const k of Object.keys(got)) {
      const d = maxRelDiff(got[k], ref[i][k]);
      assert.ok(d < c.tol, `${c.name}: ${k} differs from cpu by ${d.toExponential(2)} (tolerance ${c.tol})`);
      assert.ok(got[k].every(Number.isFinite), `${c.name}: ${k} has non-finite values`);
    }
  }
  releaseWebgpu(tf);
  assert.equal(tf.findBackend('webgpu'), null, 'releaseWebgpu removes the backend (and its GPU buffers)');
});

test('auto skips a software adapter and says why; "webgpu" uses it and names it', async (t) => {
  if (skip) return t.skip(skip);
  const auto = await selectBackend('auto');
  assert.equal(auto.info.name, 'wasm', auto.info.reason);
  assert.match(auto.info.reason, /webgpu: only a software adapter \((SwiftShader|llvmpipe)/);
  const webgpu = await selectBackend('webgpu');
  assert.equal(webgpu.info.name, 'webgpu');
  assert.equal(webgpu.info.gpu, false, 'a software adapter is not a GPU');
  assert.equal(webgpu.info.adapter?.software, true);
  assert.match(webgpu.info.adapter?.description ?? '', /SwiftShader|llvmpipe/);
  assert.match(webgpu.info.reason, /runtime\.backend is "webgpu".*(SwiftShader|llvmpipe)/);
  releaseWebgpu(tf);
});

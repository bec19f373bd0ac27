/**
 * The generator as a TensorFlow graph (the GraphDef JSON that tf.loadGraphModel reads), op for op the same
 * computation as src/runtime/model/generator.ts. A graph, not a Keras layers model: our batch norm normalizes
 * with the batch's own statistics in sampling too (model/layers.ts), and a Keras BatchNormalization layer uses
 * moving averages in predict(); the graph spells out mean/variance over the batch, so `model.predict(z)` in stock
 * TensorFlow.js gives the trainer's own samples. Keep the two files in step: the export test compares them.
 */
import type { ModelSpec } from '../model/spec';
import { architecture, dcganStages, tutorialKernelSize } from '../model/spec';
import { BN_EPSILON } from '../model/layers';

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** A constant of the graph: a trained variable (by its index in the generator's variable list) or a small literal. */
export type GraphConst =
  | { name: string; dtype: 'float32'; shape: number[]; variable: number }
  | { name: string; dtype: 'float32' | 'int32'; shape: number[]; values: number[] };

export interface GeneratorGraph {
  nodes: GraphNode[];
  consts: GraphConst[];
  /** The shapes the generator's variables must have, in ParamStore order. */
  variableShapes: number[][];
  input: string;
  output: string;
}

const T_FLOAT = { type: 'DT_FLOAT' };
const T_INT = { type: 'DT_INT32' };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly consts: GraphConst[] = [];
  readonly variableShapes: number[][] = [];
  private n = 0;

  private fresh(base: string): string {
    return `${base}_${this.n++}`;
  }

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: T_FLOAT, shape: { shape: dims(shape) } } });
    return name;
  }

  private constNode(c: GraphConst): string {
    const dtype = c.dtype === 'int32' ? T_INT : T_FLOAT;
    this.nodes.push({ name: c.name, op: 'Const', attr: { dtype, value: { tensor: { dtype: dtype.type, tensorShape: dims(c.shape) } } } });
    this.consts.push(c);
    return c.name;
  }

  variable(name: string, shape: number[]): string {
    this.variableShapes.push(shape);
    return this.constNode({ name, dtype: 'float32', shape, variable: this.variableShapes.length - 1 });
  }

  literal(base: string, dtype: 'float32' | 'int32', values: number[], shape = [values.length]): string {
    return this.constNode({ name: this.fresh(base), dtype, shape, values });
  }

  op(base: string, op: string, input: string[], attr: Record<string, unknown> = {}, name = this.fresh(base)): string {
    this.nodes.push({ name, op, input, attr: { T: T_FLOAT, ...attr } });
    return name;
  }

  matMul(x: string, w: string): string {
    return this.op('dense', 'MatMul', [x, w], { transpose_a: { b: false }, transpose_b: { b: false } });
  }

  /** (x − mean) · rsqrt(var + ε) · γ + β over the batch (and spatial) axes, as layers.ts' batchNorm and tf.moments do. */
  batchNorm(x: string, gamma: string, beta: string, axes: number[]): string {
    const ax = this.literal('bn_axes', 'int32', axes);
    const mean = this.op('bn_mean', 'Mean', [x, ax], { keep_dims: { b: true }, Tidx: T_INT });
    const centered = this.op('bn_centered', 'Sub', [x, mean]);
    const variance = this.op('bn_var', 'Mean', [this.op('bn_sq', 'Square', [centered]), ax], { keep_dims: { b: true }, Tidx: T_INT });
    const inv = this.op('bn_rsqrt', 'Rsqrt', [this.op('bn_eps', 'AddV2', [variance, this.literal('bn_epsilon', 'float32', [BN_EPSILON], [])])]);
    return this.op('bn_out', 'AddV2', [this.op('bn_scale', 'Mul', [this.op('bn_norm', 'Mul', [centered, inv]), gamma]), beta]);
  }

  leakyRelu(x: string, alpha: number): string {
    return this.op('lrelu', 'LeakyRelu', [x], { alpha: { f: alpha } });
  }

  reshape(x: string, shape: number[]): string {
    return this.op('reshape', 'Reshape', [x, this.literal('shape', 'int32', shape)], { Tshape: T_INT });
  }

  /** Batch size of the input z, as a 1-vector (the output shapes of the transposed convolutions need it). */
  batchOf(z: string): string {
    const shape = this.op('z_shape', 'Shape', [z], { out_type: T_INT });
    return this.op('batch', 'Slice', [shape, this.literal('begin', 'int32', [0]), this.literal('size', 'int32', [1])], { T: T_INT, Index: T_INT });
  }

  convTranspose(x: string, kernel: string, batch: string, out: [number, number, number], stride: number): string {
    const outShape = this.op('out_shape', 'ConcatV2', [batch, this.literal('hwc', 'int32', out), this.literal('axis', 'int32', [0], [])], { T: T_INT, N: { i: '2' }, Tidx: T_INT });
    return this.op('convT', 'Conv2DBackpropInput', [outShape, kernel, x], {
      strides: { list: { i: ['1', String(stride), String(stride), '1'] } },
      padding: { s: b64('SAME') },
      data_format: { s: b64('NHWC') },
      dilations: { list: { i: ['1', '1', '1', '1'] } },
      use_cudnn_on_gpu: { b: true },
    });
  }

  activation(x: string, activation: ModelSpec['outputActivation']): string {
    return this.op('act', activation === 'tanh' ? 'Tanh' : 'Sigmoid', [x]);
  }
}

/** The generator graph for a model spec: input "z" [N, latentDim], output "images" [N, S, S, C]. */
export function generatorGraph(spec: ModelSpec): GeneratorGraph {
  const b = new GraphBuilder();
  const z = b.placeholder('z', [-1, spec.latentDim]);
  const batch = b.batchOf(z);
  const g = spec.generatorFilters;
  let h: string;
  if (architecture(spec.imageSize) === 'tutorial28') {
    const k = tutorialKernelSize(spec);
    const fc = b.variable('generator/dense/kernel', [spec.latentDim, 7 * 7 * 4 * g]);
    const bn0 = [b.variable('generator/bn0/gamma', [7 * 7 * 4 * g]), b.variable('generator/bn0/beta', [7 * 7 * 4 * g])];
    const ct1 = b.variable('generator/convT1/kernel', [k, k, 2 * g, 4 * g]);
    const bn1 = [b.variable('generator/bn1/gamma', [2 * g]), b.variable('generator/bn1/beta', [2 * g])];
    const ct2 = b.variable('generator/convT2/kernel', [k, k, g, 2 * g]);
    const bn2 = [b.variable('generator/bn2/gamma', [g]), b.variable('generator/bn2/beta', [g])];
    const ct3 = b.variable('generator/convT3/kernel', [k, k, spec.channels, g]);
    const alpha = spec.leakyReluAlpha;
    h = b.leakyRelu(b.batchNorm(b.matMul(z, fc), bn0[0], bn0[1], [0]), alpha);
    h = b.reshape(h, [-1, 7, 7, 4 * g]);
    h = b.leakyRelu(b.batchNorm(b.convTranspose(h, ct1, batch, [7, 7, 2 * g], 1), bn1[0], bn1[1], [0, 1, 2]), alpha);
    h = b.leakyRelu(b.batchNorm(b.convTranspose(h, ct2, batch, [14, 14, g], 2), bn2[0], bn2[1], [0, 1, 2]), alpha);
    h = b.activation(b.convTranspose(h, ct3, batch, [28, 28, spec.channels], 2), spec.outputActivation);
  } else {
    const stages = dcganStages(spec.imageSize);
    const first = g * 2 ** (stages - 1);
    const fc = b.variable('generator/project/kernel', [spec.latentDim, 4 * 4 * first]);
    const bn0 = [b.variable('generator/bn0/gamma', [4 * 4 * first]), b.variable('generator/bn0/beta', [4 * 4 * first])];
    const ups: { kernel: string; bn?: string[]; out: number }[] = [];
    let channels = first;
    for (let i = 1; i <= stages; i++) {
      const last = i === stages;
      const out = last ? spec.channels : channels / 2;
      const kernel = b.variable(`generator/convT${i}/kernel`, [4, 4, out, channels]);
      ups.push({ kernel, out, bn: last ? undefined : [b.variable(`generator/bn${i}/gamma`, [out]), b.variable(`generator/bn${i}/beta`, [out])] });
      channels = out;
    }
    h = b.reshape(b.op('relu', 'Relu', [b.batchNorm(b.matMul(z, fc), bn0[0], bn0[1], [0])]), [-1, 4, 4, first]);
    let size = 4;
    for (const up of ups) {
      size *= 2;
      const y = b.convTranspose(h, up.kernel, batch, [size, size, up.out], 2);
      h = up.bn ? b.op('relu', 'Relu', [b.batchNorm(y, up.bn[0], up.bn[1], [0, 1, 2])]) : b.activation(y, spec.outputActivation);
    }
  }
  const output = b.op('images', 'Identity', [h], {}, 'images');
  return { nodes: b.nodes, consts: b.consts, variableShapes: b.variableShapes, input: z, output };
}

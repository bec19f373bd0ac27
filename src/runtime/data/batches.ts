/**
 * Shuffled batches for the trainer, read ahead: while an iteration runs, the next batches are being read (an image
 * folder decodes them on its decode threads, or reads them from its prepared cache). Data stays in its storage
 * dtype in the dataset; readScaled converts one batch at a time into the range the discriminator is fed.
 * Problems the dataset finds while reading (a file that no longer decodes) are handed to `onProblem` as they appear.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TF } from '../backend/select';
import type { Problem } from '../problem';
import { permutation, type Rng } from '../train/rng';
import { readScaled } from './dataset';
import type { Dataset } from './types';

/**
 * Batches in flight for an image folder: enough to keep the decode threads busy while the trainer works, few
 * enough to stay small. Arrays read one ahead, as before, so that their runs draw from the seeded generator in the
 * same order as they always did (an epoch's shuffle is drawn when its first batch is read).
 */
const IMAGE_READ_AHEAD = 3;

export class BatchStream {
  private order: Uint32Array;
  private pos = 0;
  private readonly pending: Promise<Float32Array>[] = [];
  private readonly per: number;
  private reported: number;
  private readonly depth: number;

  constructor(
    private readonly tf: TF,
    private readonly dataset: Dataset,
    private readonly batchSize: number,
    private readonly scaling: { scale: number; offset: number },
    private readonly rng: Rng,
    private readonly onProblem: (p: Problem) => void = () => undefined,
  ) {
    this.per = dataset.height * dataset.width * dataset.channels;
    this.order = permutation(dataset.count, rng);
    // Problems found before training (the data check) were reported with it.
    this.reported = dataset.problems.length;
    this.depth = dataset.format === 'images' ? IMAGE_READ_AHEAD : 1;
  }

  private indices(): Uint32Array {
    if (this.pos + this.batchSize > this.order.length) {
      this.order = permutation(this.dataset.count, this.rng);
      this.pos = 0;
    }
    const idx = this.order.slice(this.pos, this.pos + this.batchSize);
    this.pos += this.batchSize;
    return idx;
  }

  private read(): Promise<Float32Array> {
    const out = new Float32Array(this.batchSize * this.per);
    const p = readScaled(this.dataset, this.indices(), out, this.scaling).then(() => out);
    p.catch(() => undefined); // surfaced by the call to next() that awaits it
    return p;
  }

  async next(): Promise<tfc.Tensor4D> {
    if (this.pending.length === 0) this.pending.push(this.read());
    const fed = await this.pending.shift()!;
    while (this.pending.length < this.depth) this.pending.push(this.read());
    while (this.reported < this.dataset.problems.length) this.onProblem(this.dataset.problems[this.reported++]);
    const { height, width, channels } = this.dataset;
    return this.tf.tensor4d(fed, [this.batchSize, height, width, channels]);
  }
}

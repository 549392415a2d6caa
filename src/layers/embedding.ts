/**
 * Embedding: token ids [T, B] → vectors [T, B, E], rows of a table E_tab [V, E].
 * Initialised U(−0.05, 0.05) (Keras) under "glorot", N(0, 1) (PyTorch) under "uniform".
 * Backward scatters the output gradient into the table rows; ids have no gradient.
 */
import { ValueError, checkObject } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Rng } from "../util/random.js";
import { uniform, type InitScheme } from "./init.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface EmbeddingOptions {
  readonly vocabularySize: number;
  readonly embeddingSize: number;
}

export class Embedding implements Layer {
  readonly kind = "embedding";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private p: Vec = new Float32Array(0);
  private g: Vec = new Float32Array(0);
  private ids: Int32Array | null = null;

  constructor(o: EmbeddingOptions) {
    checkObject("embedding", o);
    const V = (this.inputFeatures = positiveInt("embedding", "vocabularySize", o.vocabularySize));
    const E = (this.outputFeatures = positiveInt("embedding", "embeddingSize", o.embeddingSize));
    this.config = { kind: "embedding", vocabularySize: V, embeddingSize: E };
    this.params = [{ name: "table", shape: [V, E], trainable: true, doc: "one row per token id" }];
    this.paramCount = V * E;
  }

  bind(params: Vec, grads: Vec): void {
    this.p = params;
    this.g = grads;
  }

  init(rng: Rng, scheme: InitScheme): void {
    if (scheme === "none") this.p.fill(0);
    else if (scheme === "uniform") for (let i = 0; i < this.p.length; i++) this.p[i] = rng.normal();
    else uniform(this.p, 0.05, rng);
  }

  forward(x: Act, ctx: Context): Act {
    const ids = x.ids;
    if (!ids) throw new ValueError("embedding: expected token ids as input, got feature values");
    const E = this.outputFeatures, V = this.inputFeatures, y = ctx.kernels.alloc(ids.length * E);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < V)) throw new ValueError(`embedding: token id ${id} at position ${i} is outside 0..${V - 1}`);
      y.set(this.p.subarray(id * E, (id + 1) * E), i * E);
    }
    this.ids = ids;
    return { data: y, T: x.T, B: x.B, F: E, lengths: x.lengths };
  }

  backward(dy: Vec): null {
    const E = this.outputFeatures, ids = this.ids!;
    // y_i = table[id_i]: dtable[id_i] += dy_i
    for (let i = 0; i < ids.length; i++) {
      const o = ids[i]! * E;
      for (let j = 0; j < E; j++) this.g[o + j] += dy[i * E + j]!;
    }
    return null;
  }
}

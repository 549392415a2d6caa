/**
 * The symbolic values of the ONNX → gated model conversion (to-model.ts). Instead of numbers, a
 * value says what it is: a constant, the model's activations with the role of each axis (time T,
 * batch B, features F, ONNX's direction axis D and hidden axis H, a size-1 axis "1", or the still
 * unknown first axes "a"/"b" of the graph input), final recurrent states, a shape vector, zeros.
 */
import type { OnnxTensor } from "./tensor.js";

export type Dir = "forward" | "reverse";
/** "Tl" / "Tf": the time axis cut to its last / first step by a Slice. */
export type Role = "T" | "B" | "F" | "D" | "H" | "1" | "a" | "b" | "Tl" | "Tf";

/** One H-wide block of a per-sequence value: which block of the recurrent output, read where. */
export interface Pick {
  readonly block: number;
  readonly at: "last" | "first" | "final";
}

export interface Act {
  readonly kind: "act";
  readonly roles: readonly Role[];
  /** Size of the F axis (or of H when there is no F). */
  readonly F: number;
  /** Size of D and the directions of the blocks, after a recurrent layer. */
  readonly dirs: readonly Dir[] | null;
  readonly H: number;
  /** Number of gated layers made when this value was (the chain check). */
  readonly depth: number;
  /** A per-sequence value made by selecting steps of the recurrent output, before it becomes a last-step layer. */
  readonly picks: readonly Pick[] | null;
  /** After the final Softmax: nothing but the graph output may follow. */
  readonly final?: boolean;
}

export interface Finals {
  readonly kind: "finals";
  /** One row per direction (and layer, after a Concat): the layer depth, its directions, and which one this row is. */
  readonly rows: readonly { readonly depth: number; readonly dirs: readonly Dir[]; readonly block: number }[];
  readonly roles: readonly ("D" | "B" | "H")[];
  readonly H: number;
}

export interface Dims { readonly kind: "dims"; readonly dims: readonly (number | "T" | "B" | "a" | "b")[] }
export interface Const { readonly kind: "const"; readonly t: OnnxTensor }
export interface Zeros { readonly kind: "zeros" }
export interface Ids { readonly kind: "ids"; readonly roles: readonly Role[] }
export interface Lengths { readonly kind: "lengths" }
/** A value gated models have no counterpart for (LSTM's Y_c), with the reason. */
export interface Opaque { readonly kind: "opaque"; readonly why: string }

export type Sym = Act | Finals | Dims | Const | Zeros | Ids | Lengths | Opaque;

export function describe(s: Sym): string {
  switch (s.kind) {
    case "act": return `${s.picks ? "per-sequence " : ""}activations [${s.roles.join(", ")}]`;
    case "finals": return `final states [${s.roles.join(", ")}]`;
    case "dims": return `a shape [${s.dims.join(", ")}]`;
    case "const": return `a constant of shape [${s.t.shape.join(", ")}]`;
    case "zeros": return "zeros";
    case "ids": return "token ids";
    case "lengths": return "sequence lengths";
    case "opaque": return s.why;
  }
}

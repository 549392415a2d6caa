/**
 * Every cell of gated's table (CELL_KINDS) with its equations as the README's Cells section and
 * each cell file's header give them: x input, h previous state, σ the gate activation (Sigmoid),
 * φ the candidate activation (Tanh), ⊙ the element-wise product. The defaults are the ones the
 * playground trains with (the library's own defaults).
 */

export interface CellDoc {
  readonly title: string;
  readonly paper: string;
  /** One equation per line, in gated's symbols. */
  readonly lines: readonly string[];
  /** The gates the gate view shows, in the library's capture names. */
  readonly gates: readonly string[];
}

const GRU_UPDATE = "h′ = z ⊙ h + (1 − z) ⊙ n   (update \"keep\", PyTorch/Keras/ONNX)";
const MGU_REST = ["n = φ(W_h x + U_h (f ⊙ h) + b_h)   (reset \"before\")", "h′ = (1 − f) ⊙ h + f ⊙ n   (update \"replace\")"];

export const CELL_DOCS: Readonly<Record<string, CellDoc>> = {
  gru: { title: "GRU", paper: "Cho et al. 2014", gates: ["z", "r", "hHat"], lines: [
    "z = σ(W_z x + U_z h + b_z)", "r = σ(W_r x + U_r h + b_r)",
    "n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))   (reset \"after\", PyTorch)", GRU_UPDATE] },
  gru1: { title: "GRU type 1", paper: "Dey & Salem 2017", gates: ["z", "r", "hHat"], lines: [
    "z = σ(U_z h + b_z), r = σ(U_r h + b_r)   (the gates see U h + b only)",
    "n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))", GRU_UPDATE] },
  gru2: { title: "GRU type 2", paper: "Dey & Salem 2017", gates: ["z", "r", "hHat"], lines: [
    "z = σ(U_z h), r = σ(U_r h)   (the gates see U h only)",
    "n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))", GRU_UPDATE] },
  gru3: { title: "GRU type 3", paper: "Dey & Salem 2017", gates: ["z", "r", "hHat"], lines: [
    "z = σ(b_z), r = σ(b_r)   (the gates see their bias only)",
    "n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))", GRU_UPDATE] },
  mgu: { title: "MGU", paper: "Zhou et al. 2016", gates: ["f", "hHat"], lines: ["f = σ(W_f x + U_f h + b_f)   (one gate, both reset and update)", ...MGU_REST] },
  mgu1: { title: "MGU1", paper: "Heck & Salem 2017", gates: ["f", "hHat"], lines: ["f = σ(U_f h + b_f)", ...MGU_REST] },
  mgu2: { title: "MGU2", paper: "Heck & Salem 2017", gates: ["f", "hHat"], lines: ["f = σ(U_f h)", ...MGU_REST] },
  mgu3: { title: "MGU3", paper: "Heck & Salem 2017", gates: ["f", "hHat"], lines: ["f = σ(b_f)", ...MGU_REST] },
  ligru: { title: "LiGRU", paper: "Ravanelli et al. 2018", gates: ["z", "hHat"], lines: [
    "z = σ(N(W_z x) + U_z h)   (no reset gate; N = batch norm)", "n = ReLU(N(W_h x) + U_h h)", "h′ = z ⊙ h + (1 − z) ⊙ n"] },
  libru: { title: "LiBRU", paper: "Bittar & Garner 2021", gates: ["z", "c"], lines: [
    "z = σ(W_z x + U_z h + b_z)", "c = softplus(W_c x + U_c h + b_c)   (mode \"logprobs\")",
    "h′ = log(z · e^h + (1 − z) · e^c)   (a stable log-sum-exp)"] },
  mingru: { title: "minGRU", paper: "Feng et al. 2024", gates: ["z", "hHat"], lines: [
    "z = σ(W_z x + b_z)   (no h in the gate)", "n = W_h x + b_h", "h′ = (1 − z) ⊙ h + z ⊙ n   (linear in h: a parallel scan gives the same)"] },
  lstm: { title: "LSTM (baseline)", paper: "Gers et al. 1999, no peepholes", gates: ["i", "f", "cHat", "o", "c"], lines: [
    "i = σ(W_i x + U_i h + b_i), f = σ(W_f x + U_f h + b_f), o = σ(W_o x + U_o h + b_o)",
    "c′ = f ⊙ c + i ⊙ tanh(W_c x + U_c h + b_c)", "h′ = o ⊙ tanh(c′)"] },
  rnn: { title: "Elman RNN (baseline)", paper: "Elman 1990", gates: [], lines: ["h′ = tanh(W x + U h + b)"] },
};

/** The words shown for a capture name. */
export const GATE_NAMES: Readonly<Record<string, string>> = {
  z: "z (update gate)", r: "r (reset gate)", f: "f (forget gate)", hHat: "n (candidate)", c: "c (candidate / cell)",
  i: "i (input gate)", o: "o (output gate)", cHat: "c̃ (candidate)", cAct: "tanh(c)", h: "h (state)",
};

/**
 * The Python source of each gated cell as a PyTorch module (one class per cell family), for
 * `gated export --format pytorch-module`. Each class computes exactly its gated cell's function
 * (src/cells/*.ts: the equations are repeated in the class docstring) on gated's own parameter
 * blocks, so the weights are gated's tensors unchanged, block order and all.
 *
 * A class gives `project(x, active)`, the input side for all steps at once ([B, T, I] → [B, T, X·H]),
 * and `step(xp, state, hr)`, one time step ([B, X·H], a tuple of [B, H] states, hr = h or m ⊙ h
 * under recurrent dropout, used wherever h meets U, as gated does) → the new state tuple. The time
 * loop, lengths and directions are in python-stack.ts.
 *
 * Shape legend: B batch, T time, I input, H hidden, X the blocks of the input projection.
 * Only the classes a model uses are written into its model.py (CELL_SOURCES by class name).
 */

/** The class each gated cell kind becomes, and how many gates it has (the GRU family). */
export const CELL_CLASSES: Readonly<Record<string, string>> = {
  gru: "GatedUnit", mgu: "GatedUnit", ligru: "LiGRU", libru: "LiBRU", mingru: "MinGRU", lstm: "LSTM", rnn: "RNN",
};

/** The options of each cell kind's resolved config (Cell.config) that the Python honours; any other is refused. */
export const CELL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  gru: ["gates", "reset", "update", "bias", "gateActivation", "candidateActivation", "clip"],
  mgu: ["gates", "reset", "update", "bias", "gateActivation", "candidateActivation", "clip"],
  ligru: ["normalisation", "update", "bias", "gateActivation", "candidateActivation", "epsilon", "momentum"],
  libru: ["mode", "bias", "epsilon"],
  mingru: ["candidate", "update", "bias", "scan"],
  lstm: ["bias", "gateActivation", "candidateActivation", "outputActivation", "clip"],
  rnn: ["bias", "activation", "clip"],
};

const GATED_UNIT = `
class GatedUnit(Cell):
    """GRU (gates z, r) and MGU (one gate f, used as both z and r): gated's cells/gated-unit.ts.

        g = σ(W_g x + U_g h + b_g)       gates "full"; "type1": σ(U_g h + b_g); "type2": σ(U_g h); "type3": σ(b_g)
        reset "before": n = φ(W_h x + U_h (r ⊙ h) + b_h)
        reset "after":  n = φ(W_h x + b_h + r ⊙ (U_h h + c))
        update "keep":  h' = z ⊙ h + (1 − z) ⊙ n;   "replace": h' = (1 − z) ⊙ h + z ⊙ n
    σ, φ: gateActivation, candidateActivation, their inputs clamped to [−clip, clip] when clip is set.
    Blocks, gates first then the candidate h (GRU z, r, h; MGU f, h):
        W [X·H, I]  X = #gates + 1 with gates "full", else 1 (the candidate only)
        U [(G + 1)·H, H]  G = #gates, 0 with "type3"
        b [(G' + 1)·H]  G' = #gates, 0 with "type2" (absent with bias false)
        c [H]  reset "after" with bias only
    PyTorch's nn.GRU is gates "full", reset "after", update "keep", blocks r, z, n:
    W = weight_ih with blocks (z, r, n) = (1, 0, 2), U likewise from weight_hh,
    b_z = bias_ih_z + bias_hh_z, b_r = bias_ih_r + bias_hh_r, b_h = bias_ih_n, c = bias_hh_n.
    """

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        n = 2 if spec["kind"] == "gru" else 1
        self.n = n
        self.gx = n if cfg["gates"] == "full" else 0
        self.gh = 0 if cfg["gates"] == "type3" else n
        self.gb = n if cfg["bias"] and cfg["gates"] != "type2" else 0
        self.after = cfg["reset"] == "after"
        self.keep = cfg["update"] == "keep"
        self.fg = activation(cfg["gateActivation"], cfg["clip"])
        self.fc = activation(cfg["candidateActivation"], cfg["clip"])
        self.tensor("W", (self.gx + 1) * H, self.I)
        self.tensor("U", (self.gh + 1) * H, H)
        self.tensor("b", (self.gb + 1) * H, present=cfg["bias"])
        self.tensor("c", H, present=self.after and cfg["bias"])

    def step(self, xp, state, hr):
        h, H, n = state[0], self.H, self.n
        # gates: g = σ(W_g x + U_g h + b_g), as many terms as the gate type has
        a = 0
        if self.gb:
            a = a + self.b[: n * H]
        if self.gx:
            a = a + xp[:, : n * H]
        if self.gh:
            a = a + hr @ self.U[: n * H].T
        g = self.fg(a.expand(h.shape[0], n * H))
        z, r = g[:, :H], g[:, (n - 1) * H : n * H]
        # candidate
        Uh = self.U[self.gh * H :]
        a = xp[:, self.gx * H :]
        if self.b is not None:
            a = a + self.b[self.gb * H :]
        if self.after:
            q = hr @ Uh.T
            if self.c is not None:
                q = q + self.c
            a = a + r * q
        else:
            a = a + (r * hr) @ Uh.T
        c = self.fc(a)
        return ((z * h + (1 - z) * c) if self.keep else ((1 - z) * h + z * c),)
`;

const LIGRU = `
class LiGRU(Cell):
    """LiGRU (Ravanelli et al. 2018): gated's cells/li-gru.ts.

        a = N(W x) = [a_z | a_h]    normalised as one 2H-wide row
        z = σ(a_z + U_z h),  n = φ(a_h + U_h h)    (φ = Relu by default)
        update "keep": h' = z ⊙ h + (1 − z) ⊙ n;  "replace": h' = (1 − z) ⊙ h + z ⊙ n
    N: "batch": per feature, v̂ = (v − μ)/√(σ² + ε), a = γ ⊙ v̂ + β. Training: μ, σ² (biased) over the
       active (t, b) positions only, and runningMean ← (1 − m)·runningMean + m·μ, runningVar ←
       (1 − m)·runningVar + m·σ²·M/(M − 1) (M active positions); eval: the running statistics.
       "layer": μ, σ² over the 2H features of each row. "none": a = v + b.
    Blocks z, h: W [2H, I], U [2H, H]; "none": b [2H]; "batch"/"layer": gamma [2H], beta [2H] (absent
    with bias false); "batch": buffers runningMean, runningVar [2H] (not trained).
    """

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        self.norm = cfg["normalisation"]
        self.keep = cfg["update"] == "keep"
        self.fg = activation(cfg["gateActivation"])
        self.fc = activation(cfg["candidateActivation"])
        self.tensor("W", 2 * H, self.I)
        self.tensor("U", 2 * H, H)
        if self.norm == "none":
            self.tensor("b", 2 * H, present=cfg["bias"])
        else:
            self.eps = cfg["epsilon"]
            self.tensor("gamma", 2 * H)
            self.tensor("beta", 2 * H, present=cfg["bias"])
        if self.norm == "batch":
            self.momentum = cfg["momentum"]
            self.register_buffer("runningMean", torch.zeros(2 * H))
            self.register_buffer("runningVar", torch.ones(2 * H))

    def project(self, x, active):
        v = x @ self.W.T
        if self.norm == "none":
            return v if self.b is None else v + self.b
        if self.norm == "layer":
            return F.layer_norm(v, (2 * self.H,), self.gamma, self.beta, self.eps)
        mean, var = self.runningMean, self.runningVar
        if self.training:
            rows = v.reshape(-1, 2 * self.H) if active is None else v[active]
            M = rows.shape[0]
            if M == 1:
                raise ValueError("ligru: batch normalisation in training needs more than one active (t, b) position "
                                 "to estimate a variance, got 1; hint: use a longer batch or eval mode")
            if M > 1:
                mean, var = rows.mean(0), rows.var(0, correction=0)
                with torch.no_grad():
                    m = self.momentum
                    self.runningMean.mul_(1 - m).add_(m * mean)
                    self.runningVar.mul_(1 - m).add_(m * var * (M / (M - 1)))
        a = (v - mean) * torch.rsqrt(var + self.eps) * self.gamma
        return a if self.beta is None else a + self.beta

    def step(self, xp, state, hr):
        h, H = state[0], self.H
        a = xp + hr @ self.U.T
        z, n = self.fg(a[:, :H]), self.fc(a[:, H:])
        return ((z * h + (1 - z) * n) if self.keep else ((1 - z) * h + z * n),)
`;

const LIBRU = `
class LiBRU(Cell):
    """LiBRU (Bittar & Garner 2021), the four modes of the authors' code: gated's cells/li-bru.ts.

        r = log(h + ε) in "probs", h otherwise
        z = σ(W_z x + U_z r + b_z),  c = f(W_c x + U_c r + b_c)
        f = sigmoid ("probs"), softplus ("logprobs", "geomean"), relu ("ligru")
        "logprobs": h' = log(z·e^h + (1 − z)·e^c) = logaddexp(h − softplus(−a_z), c − softplus(a_z))
        "probs", "geomean", "ligru": h' = z ⊙ h + (1 − z) ⊙ c
    Blocks z, c: W [2H, I], U [2H, H], b [2H] (absent with bias false).
    """

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        self.mode = cfg["mode"]
        self.eps = cfg.get("epsilon", 1e-11)
        self.f = {"probs": torch.sigmoid, "logprobs": F.softplus, "geomean": F.softplus, "ligru": torch.relu}[self.mode]
        self.tensor("W", 2 * H, self.I)
        self.tensor("U", 2 * H, H)
        self.tensor("b", 2 * H, present=cfg["bias"])

    def step(self, xp, state, hr):
        h, H = state[0], self.H
        r = torch.log(h + self.eps) if self.mode == "probs" else hr
        a = xp + r @ self.U.T
        if self.b is not None:
            a = a + self.b
        az, c = a[:, :H], self.f(a[:, H:])
        if self.mode == "logprobs":
            return (torch.logaddexp(h - F.softplus(-az), c - F.softplus(az)),)
        z = torch.sigmoid(az)
        return (z * h + (1 - z) * c,)
`;

const MINGRU = `
class MinGRU(Cell):
    """minGRU (Feng et al. 2024): gated's cells/min-gru.ts, as the sequential loop (gated's scans
    "parallel" and "log" compute the same function).

        z = σ(W_z x + b_z)
        candidate "g": n = g(W_h x + b_h), g(v) = v + 0.5 for v ≥ 0, σ(v) below;  "linear": n = W_h x + b_h
        update "replace": h' = (1 − z) ⊙ h + z ⊙ n;  "keep": h' = z ⊙ h + (1 − z) ⊙ n
    Blocks z, h: W [2H, I], b [2H] (absent with bias false). No recurrent weights.
    """

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        self.g = cfg["candidate"] == "g"
        self.keep = cfg["update"] == "keep"
        self.tensor("W", 2 * H, self.I)
        self.tensor("b", 2 * H, present=cfg["bias"])

    def project(self, x, active):
        v = x @ self.W.T
        if self.b is not None:
            v = v + self.b
        z, k = torch.sigmoid(v[..., : self.H]), v[..., self.H :]
        n = torch.where(k >= 0, k + 0.5, torch.sigmoid(k)) if self.g else k
        return torch.cat([z, n], -1)

    def step(self, xp, state, hr):
        h, z, n = state[0], xp[:, : self.H], xp[:, self.H :]
        return ((z * h + (1 - z) * n) if self.keep else ((1 - z) * h + z * n),)
`;

const LSTM = `
class LSTM(Cell):
    """LSTM with a forget gate, no peepholes: gated's cells/lstm.ts (PyTorch's nn.LSTM with its defaults).

        i = σ(W_i x + U_i h + b_i), f = σ(…), ĉ = g(W_c x + U_c h + b_c), o = σ(…)
        c' = f ⊙ c + i ⊙ ĉ,  h' = o ⊙ h_act(c')
    σ, g, h_act: gateActivation, candidateActivation, outputActivation; clip clamps the four
    pre-activations (not c').
    Blocks i, f, c, o (nn.LSTM's i, f, g, o): W [4H, I], U [4H, H], b [4H] (= bias_ih + bias_hh;
    absent with bias false). States (h, c).
    """

    states = 2

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        self.fg = activation(cfg["gateActivation"], cfg["clip"])
        self.fc = activation(cfg["candidateActivation"], cfg["clip"])
        self.fh = activation(cfg["outputActivation"])
        self.tensor("W", 4 * H, self.I)
        self.tensor("U", 4 * H, H)
        self.tensor("b", 4 * H, present=cfg["bias"])

    def step(self, xp, state, hr):
        (h, c), H = state, self.H
        a = xp + hr @ self.U.T
        if self.b is not None:
            a = a + self.b
        i, f = self.fg(a[:, :H]), self.fg(a[:, H : 2 * H])
        g, o = self.fc(a[:, 2 * H : 3 * H]), self.fg(a[:, 3 * H :])
        c = f * c + i * g
        return (o * self.fh(c), c)
`;

const RNN = `
class RNN(Cell):
    """Elman RNN: gated's cells/rnn.ts (PyTorch's nn.RNN).

        h' = φ(W x + U h + b)    φ = activation, its input clamped to [−clip, clip] when clip is set
    Blocks: W [H, I], U [H, H], b [H] (= bias_ih + bias_hh; absent with bias false).
    """

    def __init__(self, spec):
        super().__init__(spec)
        cfg, H = self.cfg, self.H
        self.f = activation(cfg["activation"], cfg["clip"])
        self.tensor("W", H, self.I)
        self.tensor("U", H, H)
        self.tensor("b", H, present=cfg["bias"])

    def step(self, xp, state, hr):
        a = xp + hr @ self.U.T
        if self.b is not None:
            a = a + self.b
        return (self.f(a),)
`;

/** The Python class source by class name. */
export const CELL_SOURCES: Readonly<Record<string, string>> = {
  GatedUnit: GATED_UNIT, LiGRU: LIGRU, LiBRU: LIBRU, MinGRU: MINGRU, LSTM, RNN,
};

/**
 * The Python source shared by every exported model.py (`gated export --format pytorch-module`):
 * the activations, the cell base class, the time loop with gated's `lengths` semantics
 * (src/sequence/run.ts), the recurrent stack, the other layers (src/layers/*) and the Model with
 * its loader. The cells are in python-cells.ts; module-export.ts puts the file together.
 *
 * Semantics copied from gated, in the Python's own words below:
 *   - time loop: row b is active at step t when t < lengths[b]; an inactive row keeps its state
 *     and outputs 0, so the forward direction ends at len − 1 and the reverse one starts there;
 *   - a stack's layer l reads layer l − 1's output (forward columns first, then reverse);
 *   - last-step reads step len − 1 for forward blocks and step 0 for reverse blocks (or len − 1 with
 *     at "last-step"), zeros for an empty row; later layers see one step and no lengths;
 *   - dense, layer-norm, dropout act on every position, padding included (as gated).
 */

/** Imports, the activation table and the cell base class. */
export const PYTHON_PRELUDE = `
import json

import torch
import torch.nn.functional as F
from torch import nn
`;

export const PYTHON_COMMON = `
def activation(spec, clip=None):
    """gated's named activations (kernels/activations.ts), with explicit alpha, beta. clip (the ONNX
    cell clip) clamps the input to [-clip, clip] first."""
    name, a, b = spec["name"], spec["alpha"], spec["beta"]
    table = {
        "Sigmoid": torch.sigmoid,
        "HardSigmoid": lambda x: torch.clamp(a * x + b, 0.0, 1.0),
        "Tanh": torch.tanh,
        "ScaledTanh": lambda x: a * torch.tanh(b * x),
        "Relu": torch.relu,
        "LeakyRelu": lambda x: F.leaky_relu(x, a),
        "ThresholdedRelu": lambda x: torch.where(x > a, x, torch.zeros_like(x)),
        "Elu": lambda x: F.elu(x, a),
        "Softsign": F.softsign,
        "Softplus": F.softplus,
        "Affine": lambda x: a * x + b,
    }
    if name not in table:
        raise ValueError(f"activation: unknown name {name!r}; expected one of {', '.join(table)}")
    f = table[name]
    if clip is None:
        return f
    return lambda x: f(torch.clamp(x, -clip, clip))


class Cell(nn.Module):
    """One layer-direction of a recurrent stack. project(x, active): the input projection of all
    steps, [B, T, I] -> [B, T, X*H] (x @ W.T unless the cell says more); step(xp, state, hr): one
    step, xp [B, X*H], state a tuple of [B, H], hr = h, or m * h under recurrent dropout (what the
    products with U see) -> the new state tuple, h first."""

    states = 1

    def __init__(self, spec):
        super().__init__()
        self.I, self.H, self.cfg = spec["inputSize"], spec["hiddenSize"], spec["config"]

    def tensor(self, name, *shape, present=True):
        """A trained parameter block, filled by load_state_dict (None when absent)."""
        self.register_parameter(name, nn.Parameter(torch.zeros(*shape)) if present else None)

    def project(self, x, active):
        return x @ self.W.T
`;

/** The time loop and the recurrent stack. */
export const PYTHON_STACK = `
def run_direction(cell, x, active, reverse, drop):
    """The time loop of one layer-direction (gated's sequence/run.ts). x [B, T, I]; active [B, T]
    (bool, t < lengths[b]) or None; drop: the recurrent dropout mask [B, H] or None.
    Returns y [B, T, H], 0 at padding. An inactive row keeps its state and outputs 0, so the forward
    direction ends at each row's step len - 1 and the reverse direction starts there."""
    B, T = x.shape[0], x.shape[1]
    xp = cell.project(x, active)
    state = tuple(x.new_zeros(B, cell.H) for _ in range(cell.states))
    ys = [None] * T
    for s in range(T):
        t = T - 1 - s if reverse else s
        hr = state[0] if drop is None else state[0] * drop
        new = cell.step(xp[:, t], state, hr)
        if active is not None:
            on = active[:, t].unsqueeze(1)
            new = tuple(torch.where(on, n, o) for n, o in zip(new, state))
            ys[t] = torch.where(on, new[0], torch.zeros_like(new[0]))
        else:
            ys[t] = new[0]
        state = new
    return torch.stack(ys, 1)


class Recurrent(nn.Module):
    """A stack of layers x directions (gated's sequence/recurrent.ts); cells["layer{l}_{dir}"].
    Output [B, T, D*H]: the forward direction's columns first. recurrentDropout p (training only):
    one mask per sequence, layer and direction, on h where it meets U, kept units scaled 1/(1 - p)."""

    def __init__(self, spec):
        super().__init__()
        self.layers, self.directions = spec["layers"], spec["directions"]
        self.p = spec["recurrentDropout"]
        self.cells = nn.ModuleDict({c["name"]: CELLS[c["kind"]](c) for c in spec["cells"]})

    def forward(self, x, lengths):
        B, T = x.shape[0], x.shape[1]
        active = None
        if lengths is not None:
            active = torch.arange(T, device=x.device).unsqueeze(0) < lengths.unsqueeze(1)
        for l in range(self.layers):
            ys = []
            for d in self.directions:
                cell = self.cells[f"layer{l}_{d}"]
                drop = None
                if self.training and self.p > 0:
                    drop = torch.bernoulli(x.new_full((B, cell.H), 1 - self.p)) / (1 - self.p)
                ys.append(run_direction(cell, x, active, d == "reverse", drop))
            x = torch.cat(ys, 2) if len(ys) > 1 else ys[0]
        return x
`;

/** The non-recurrent layers and the Model. */

/** Model.load, the same in every exported module: the weights of a safetensors file, in eval mode. */
export const PYTHON_LOAD_METHOD = `    @classmethod
    def load(cls, path, device="cpu"):
        """The model with the weights of a safetensors file (gated's tensors), in eval mode."""
        from safetensors.torch import load_file

        model = cls()
        model.load_state_dict(load_file(path, device=str(device)))
        return model.to(device).eval()
`;

export const PYTHON_LAYERS = `
class Embedding(nn.Module):
    """Token ids [B, T] -> rows of table [V, E]."""

    def __init__(self, spec):
        super().__init__()
        self.table = nn.Parameter(torch.zeros(spec["vocabularySize"], spec["embeddingSize"]))

    def forward(self, x, lengths):
        return F.embedding(x, self.table)


class LayerNorm(nn.Module):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta over the features of every position."""

    def __init__(self, spec):
        super().__init__()
        self.eps = spec["epsilon"]
        self.gamma = nn.Parameter(torch.ones(spec["features"]))
        self.beta = nn.Parameter(torch.zeros(spec["features"]))

    def forward(self, x, lengths):
        return F.layer_norm(x, (x.shape[-1],), self.gamma, self.beta, self.eps)


class Dropout(nn.Module):
    """Inverted dropout in training, the identity otherwise. mask "element": one draw per value;
    "sequence": one per sequence and feature, shared by every step."""

    def __init__(self, spec):
        super().__init__()
        self.rate, self.per_sequence = spec["rate"], spec["mask"] == "sequence"

    def forward(self, x, lengths):
        if not self.training or self.rate == 0:
            return x
        if not self.per_sequence:
            return F.dropout(x, self.rate, True)
        keep = torch.bernoulli(x.new_full((x.shape[0], 1, x.shape[2]), 1 - self.rate))
        return x * keep / (1 - self.rate)


class LastStep(nn.Module):
    """[B, T, D*H] -> [B, 1, D*H]: forward blocks read step lengths[b] - 1 (T - 1 without lengths);
    reverse blocks step 0 where they finished reading (at "final-state", the default), or step
    lengths[b] - 1 too (at "last-step", PyTorch's out[:, -1]); an empty row gives zeros."""

    def __init__(self, spec):
        super().__init__()
        self.H, self.directions = spec["hiddenSize"], spec["directions"]
        self.final_state = spec.get("at", "final-state") == "final-state"

    def forward(self, x, lengths):
        B, T, H = x.shape[0], x.shape[1], self.H
        rows = torch.arange(B, device=x.device)
        n = torch.full((B,), T, device=x.device) if lengths is None else lengths
        blocks = []
        for d, direction in enumerate(self.directions):
            last = direction == "forward" or not self.final_state
            t = (n - 1).clamp(min=0) if last else torch.zeros_like(n)
            v = x[rows, t, d * H : (d + 1) * H]
            if lengths is not None:
                v = torch.where((n > 0).unsqueeze(1), v, torch.zeros_like(v))
            blocks.append(v)
        return torch.cat(blocks, 1).unsqueeze(1)


class Dense(nn.Module):
    """y = act(x @ W.T + b), W [O, I] (nn.Linear's layout), b [O]."""

    def __init__(self, spec):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(spec["outputSize"], spec["inputSize"]))
        self.b = nn.Parameter(torch.zeros(spec["outputSize"]))
        self.act = activation(spec["activation"])

    def forward(self, x, lengths):
        return self.act(F.linear(x, self.W, self.b))


LAYERS = {"embedding": Embedding, "recurrent": Recurrent, "layer-norm": LayerNorm, "dropout": Dropout,
          "last-step": LastStep, "dense": Dense}


class Model(nn.Module):
    """The whole gated model: CONFIG["layers"] in order, parameters under "layers.{i}.…"."""

    def __init__(self, config=CONFIG):
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList([LAYERS[c["kind"]](c) for c in config["layers"]])
        if config["dtype"] == "float64":
            self.double()

${PYTHON_LOAD_METHOD}
    def forward(self, x, lengths=None):
        """x: batch_first, [B, T, F] features (float) or [B, T] token ids (int64); lengths: None or
        [B] integers in 0..T (padded batches). Returns [B, T, O], or [B, O] after a last-step layer."""
        inp = self.config["input"]
        want = 2 if inp["kind"] == "tokens" else 3
        if x.dim() != want or (want == 3 and x.shape[2] != inp["features"]):
            shape = "[B, T]" if want == 2 else f"[B, T, {inp['features']}]"
            raise ValueError(f"model: expected input of shape {shape}, got {list(x.shape)}")
        if lengths is not None:
            lengths = torch.as_tensor(lengths, dtype=torch.long, device=x.device)
            if lengths.shape != (x.shape[0],) or bool(((lengths < 0) | (lengths > x.shape[1])).any()):
                raise ValueError(f"model: lengths must be [B] = [{x.shape[0]}] integers in 0..{x.shape[1]}, "
                                 f"got {lengths.tolist()}")
        per_sequence = False
        for layer in self.layers:
            x = layer(x, lengths)
            if isinstance(layer, LastStep):
                lengths, per_sequence = None, True
        return x.squeeze(1) if per_sequence else x
`;

#!/usr/bin/env python3
"""
How a PyTorch model becomes a file `gated import` reads, and how a `gated export --format pytorch`
file goes back into PyTorch. CI runs no Python: `check` records what PyTorch computes from gated's
exports (test/fixtures/interchange/pytorch-export, made by scripts/interchange/make-torch-exports.ts),
and test/io/torch-export-python.test.ts compares gated with that record.

Layout (safetensors, float32): the module's own state_dict() names, unchanged:
  <rnn>.weight_ih_l{k}[_reverse]  [G*H, I_k]   gate blocks: GRU r,z,n; LSTM i,f,g,o; RNN one
  <rnn>.weight_hh_l{k}[_reverse]  [G*H, H]
  <rnn>.bias_ih_l{k}[_reverse]    [G*H]        (absent with bias=False)
  <rnn>.bias_hh_l{k}[_reverse]    [G*H]        GRU: b_hn sits inside r * (W_hn h + b_hn)
  <emb>.weight [V, E]; <fc>.weight [O, I], <fc>.bias [O]; <norm>.weight, <norm>.bias [F]
plus metadata "gated.pytorch": a JSON module list in forward() order, e.g.
  {"modules": [{"name": "gru", "type": "GRU"}, {"name": "last", "type": "LastStep"},
               {"name": "fc", "type": "Linear", "activation": "Tanh"}],
   "task": {"target": "class"}}
"LastStep" reads out[:, len-1] for the forward direction and out[:, 0] for the reverse one, i.e.
torch.cat([h_n[-2], h_n[-1]], dim=1) for a bidirectional module (h_n[-1] for a unidirectional one).

Usage:
  python scripts/interchange/pytorch_to_safetensors.py save model.safetensors   # example model -> file
  gated import model.safetensors --out model.gated.safetensors
  gated export model.gated.safetensors --format pytorch --out back.safetensors
  python scripts/interchange/pytorch_to_safetensors.py load back.safetensors     # file -> nn.Module
  python scripts/interchange/pytorch_to_safetensors.py check test/fixtures/interchange/pytorch-export
"""
import json
import sys

import torch
from torch import nn
from safetensors.torch import load_file, save_file
from safetensors import safe_open

SEED = 20240611
ACTIVATIONS = {"Tanh": torch.tanh, "Relu": torch.relu, "Sigmoid": torch.sigmoid}


class Example(nn.Module):
    """Embedding -> bidirectional 2-layer GRU -> last step -> Linear (the shape gated's tests use)."""

    def __init__(self, vocab=11, emb=4, hidden=5, classes=3):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.gru = nn.GRU(emb, hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, ids):
        _, h_n = self.gru(self.embedding(ids))
        return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1))

    spec = {"modules": [{"name": "embedding", "type": "Embedding"}, {"name": "gru", "type": "GRU"},
                        {"name": "last", "type": "LastStep"}, {"name": "fc", "type": "Linear"}],
            "task": {"target": "class"}}


def save(path):
    torch.manual_seed(SEED)
    model = Example().eval()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path,
              metadata={"gated.pytorch": json.dumps(Example.spec)})
    ids = torch.randint(0, 11, (2, 6))
    print(json.dumps({"ids": ids.tolist(), "logits": model(ids).tolist()}))


class FromSpec(nn.Module):
    """Rebuilds the modules a gated export lists, and runs them in order."""

    def __init__(self, spec, state):
        super().__init__()
        self.spec = spec["modules"]
        for m in self.spec:
            name, kind = m["name"], m["type"]
            if kind == "Embedding":
                v, e = state[f"{name}.weight"].shape
                setattr(self, name, nn.Embedding(v, e))
            elif kind in ("GRU", "LSTM", "RNN"):
                w = state[f"{name}.weight_ih_l0"]
                gates = {"GRU": 3, "LSTM": 4, "RNN": 1}[kind]
                hidden, inputs = w.shape[0] // gates, w.shape[1]
                layers = 1 + max(int(k.split("_l")[-1].split("_")[0]) for k in state if k.startswith(f"{name}.weight_ih_l"))
                kwargs = dict(num_layers=layers, batch_first=True, bias=f"{name}.bias_ih_l0" in state,
                              bidirectional=f"{name}.weight_ih_l0_reverse" in state)
                if kind == "RNN":
                    kwargs["nonlinearity"] = m["nonlinearity"]  # gated's export always states it
                setattr(self, name, getattr(nn, kind)(inputs, hidden, **kwargs))
            elif kind == "Linear":
                o, i = state[f"{name}.weight"].shape
                setattr(self, name, nn.Linear(i, o))
            elif kind == "LayerNorm":
                setattr(self, name, nn.LayerNorm(state[f"{name}.weight"].shape[0], eps=m.get("eps", 1e-5)))
        self.load_state_dict(state)

    def forward(self, x):
        for m in self.spec:
            kind = m["type"]
            if kind in ("GRU", "LSTM", "RNN"):
                module = getattr(self, m["name"])
                x, _ = module(x)
                hidden, directions = module.hidden_size, 2 if module.bidirectional else 1
            elif kind == "LastStep":
                # forward block at the last step, reverse block at the first (where it finished)
                x = torch.cat([x[:, -1, :hidden], x[:, 0, hidden:]], dim=1) if directions == 2 else x[:, -1]
            elif kind == "LastOutput":
                x = x[:, -1]  # every direction at the last step
            elif kind == "Dropout":
                continue
            else:
                x = getattr(self, m["name"])(x)
                if kind == "Linear" and "activation" in m:
                    x = ACTIVATIONS[m["activation"]["name"]](x)
        return x


def check(folder):
    """Every <case>/state_dict.safetensors under folder (gated's exports, scripts/interchange/
    make-torch-exports.ts) into nn modules, run on <case>/input.json; outputs to expected.json."""
    import os
    for name in sorted(os.listdir(folder)):
        d = os.path.join(folder, name)
        if not os.path.isdir(d):
            continue
        model = load(os.path.join(d, "state_dict.safetensors"))
        inp = json.load(open(os.path.join(d, "input.json")))
        x = torch.tensor(inp["data"], dtype=torch.int64 if inp["dtype"] == "int64" else torch.float32).reshape(inp["shape"])
        with torch.no_grad():
            y = model(x)
        json.dump({"output": {"shape": list(y.shape), "data": y.reshape(-1).tolist()}, "versions": {"torch": torch.__version__}},
                  open(os.path.join(d, "expected.json"), "w"))


def load(path):
    with safe_open(path, "pt") as f:
        spec = json.loads(f.metadata()["gated.pytorch"])
    model = FromSpec(spec, load_file(path)).eval()
    print(model)
    return model


if __name__ == "__main__":
    {"save": save, "load": load, "check": check}[sys.argv[1]](sys.argv[2])

#!/usr/bin/env python3
"""
PyTorch files as PyTorch users really save them, made by PyTorch itself, with the outputs PyTorch
computes for a recorded input. gated's tests read what this writes (test/io/pytorch-real.test.ts);
CI never runs it.

  bash scripts/interchange/setup-venv.sh
  ~/.cache/gated-venv/bin/python scripts/interchange/gen_pytorch.py   # -> test/fixtures/interchange/pytorch/

Each case <name>/ holds some of:
  state_dict.pt        torch.save(model.state_dict(), f)                  (zip, the default since 1.6)
  state_dict_legacy.pt torch.save(..., _use_new_zipfile_serialization=False)  (the pre-1.6 format)
  state_dict.safetensors  safetensors.torch.save_file(model.state_dict(), f)
  module.pt            torch.save(model, f)                               (the whole pickled module)
  scripted.pt          torch.jit.script(model).save(f)                    (TorchScript archive)
  expected.json        the input, PyTorch's output, the facts a state dict leaves open (what a user
                       must tell gated) and the versions
Sizes are tiny (I 3, H 4, T 5, B 2) so the files stay a few KB.
"""
import json
import os
import sys

import torch
from torch import nn
import safetensors.torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "interchange", "pytorch")
SEED = 20261206
I, H, T, B, V, O = 3, 4, 5, 2, 7, 2


class Bare(nn.Module):
    """Only for building: the saved objects are the recurrent modules themselves."""


class LastState(nn.Module):
    """out = fc(h_n[-1]) (or cat(h_n[-2], h_n[-1]) when bidirectional): the final states."""
    def __init__(self, rnn, out):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(rnn.hidden_size * (2 if rnn.bidirectional else 1), out)

    def forward(self, x):
        _, h = self.rnn(x)
        if isinstance(h, tuple):
            h = h[0]
        last = torch.cat([h[-2], h[-1]], dim=1) if self.rnn.bidirectional else h[-1]
        return self.fc(last)


class LastOutput(nn.Module):
    """out = fc(y[:, -1]): the output at the last step (for the reverse direction: after one step)."""
    def __init__(self, rnn, out):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(rnn.hidden_size * (2 if rnn.bidirectional else 1), out)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1] if self.rnn.batch_first else y[-1])


class PerStep(nn.Module):
    """out = fc(y): the head at every step."""
    def __init__(self, rnn, out):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(rnn.hidden_size * (2 if rnn.bidirectional else 1), out)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y)


class EmbedLast(nn.Module):
    """ids -> Embedding -> GRU -> fc(h_n[-1])."""
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, I)
        self.gru = nn.GRU(I, H, batch_first=True)
        self.fc = nn.Linear(H, O)

    def forward(self, ids):
        _, h = self.gru(self.embedding(ids))
        return self.fc(h[-1])


def bare_forward(m):
    def f(x):
        y, _ = m(x)
        return y
    return f


def cases():
    """(name, module, input, forward, facts, forms): facts = what a state dict does not say."""
    g = torch.Generator().manual_seed(SEED)
    x_tm = torch.randn(T, B, I, generator=g)            # time-major input
    x_bf = torch.randn(B, T, I, generator=g)            # batch-first input
    ids = torch.randint(0, V, (B, T), generator=g)
    all_forms = ["state_dict.pt", "state_dict_legacy.pt", "state_dict.safetensors", "module.pt", "scripted.pt"]
    out = []
    torch.manual_seed(SEED)
    m = nn.GRU(I, H)
    out.append(("gru", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none"}, all_forms))
    m = nn.GRU(I, H, num_layers=2, bidirectional=True, batch_first=True)
    out.append(("gru_2l_bidi_bf", m, x_bf, bare_forward(m), {"layout": "batch-major", "head": "none"}, all_forms))
    m = nn.GRU(I, H, bias=False)
    out.append(("gru_nobias", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none"}, ["state_dict.pt"]))
    m = nn.LSTM(I, H, num_layers=2)
    out.append(("lstm_2l", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none"}, all_forms))
    m = nn.RNN(I, H, nonlinearity="relu")
    out.append(("rnn_relu", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none", "nonlinearity": "relu"}, all_forms))
    m = nn.RNN(I, H)
    out.append(("rnn_tanh", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none", "nonlinearity": "tanh"}, ["state_dict.pt", "module.pt"]))
    m = LastState(nn.GRU(I, H, batch_first=True), O)
    out.append(("gru_last_state", m, x_bf, m.forward, {"layout": "batch-major", "head": "last-state"}, all_forms))
    m = PerStep(nn.GRU(I, H, batch_first=True), O)
    out.append(("gru_per_step", m, x_bf, m.forward, {"layout": "batch-major", "head": "per-step"}, all_forms))
    m = LastOutput(nn.GRU(I, H, bidirectional=True, batch_first=True), O)
    out.append(("bidi_gru_last_output", m, x_bf, m.forward, {"layout": "batch-major", "head": "last-output"}, all_forms))
    m = LastState(nn.GRU(I, H, bidirectional=True, batch_first=True), O)
    out.append(("bidi_gru_last_state", m, x_bf, m.forward, {"layout": "batch-major", "head": "last-state"}, all_forms))
    m = LastState(nn.LSTM(I, H, num_layers=2, batch_first=True), O)
    out.append(("lstm_last_state", m, x_bf, m.forward, {"layout": "batch-major", "head": "last-state"}, ["state_dict.pt", "module.pt"]))
    m = EmbedLast()
    out.append(("embedding_gru_last_state", m, ids, m.forward, {"layout": "batch-major", "head": "last-state", "input": "tokens"}, all_forms))
    m = nn.LSTM(I, H, proj_size=2)
    out.append(("lstm_proj", m, x_tm, bare_forward(m), {"layout": "time-major", "head": "none", "refused": "proj_size"}, ["state_dict.pt", "module.pt"]))
    return out


def flat(t):
    return t.detach().reshape(-1).tolist()


def save(name, m, x, fwd, facts, forms):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    m.eval()
    with torch.no_grad():
        y = fwd(x)
    sd = m.state_dict()
    for f in forms:
        p = os.path.join(d, f)
        if f == "state_dict.pt":
            torch.save(sd, p)
        elif f == "state_dict_legacy.pt":
            torch.save(sd, p, _use_new_zipfile_serialization=False)
        elif f == "state_dict.safetensors":
            safetensors.torch.save_file({k: v.contiguous() for k, v in sd.items()}, p)
        elif f == "module.pt":
            torch.save(m, p)
        elif f == "scripted.pt":
            torch.jit.script(m).save(p)
    exp = {
        "forms": forms, "facts": facts,
        "input": {"shape": list(x.shape), "dtype": "int64" if x.dtype == torch.int64 else "float32", "data": flat(x)},
        "output": {"shape": list(y.shape), "data": flat(y)},
        "versions": {"torch": torch.__version__, "python": sys.version.split()[0]},
    }
    with open(os.path.join(d, "expected.json"), "w") as fh:
        json.dump(exp, fh)
    print(f"{name}: {', '.join(forms)}")


def dtype_cases():
    """One GRU saved in other dtypes, and a state dict of views (shared storage, offsets, strides)."""
    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(T, B, I, generator=g)
    torch.manual_seed(SEED + 1)
    for dt, name in [(torch.float64, "gru_float64"), (torch.float16, "gru_float16"), (torch.bfloat16, "gru_bfloat16")]:
        m = nn.GRU(I, H).to(dt)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        torch.save(m.state_dict(), os.path.join(d, "state_dict.pt"))
        # the reference: the same weights widened to float32 (what gated computes with), run in float32
        ref = nn.GRU(I, H)
        ref.load_state_dict({k: v.float() for k, v in m.state_dict().items()})
        with torch.no_grad():
            y, _ = ref(x)
        with open(os.path.join(d, "expected.json"), "w") as fh:
            json.dump({"forms": ["state_dict.pt"], "facts": {"layout": "time-major", "head": "none", "dtype": str(dt)},
                       "input": {"shape": list(x.shape), "dtype": "float32", "data": flat(x)},
                       "output": {"shape": list(y.shape), "data": flat(y)},
                       "versions": {"torch": torch.__version__}}, fh)
        print(f"{name}: state_dict.pt")
    # views: every tensor a view into one storage (offsets), weight_hh a transposed (strided) view
    m = nn.GRU(I, H)
    sd = m.state_dict()
    whh_t = sd["weight_hh_l0"].t().contiguous()
    names = ["weight_ih_l0", "bias_ih_l0", "bias_hh_l0"]
    big = torch.cat([sd[n].reshape(-1) for n in names] + [whh_t.reshape(-1)])
    views, at = {}, 0
    for n in names:
        k = sd[n].numel()
        views[n] = big[at:at + k].view(sd[n].shape)
        at += k
    views["weight_hh_l0"] = big[at:].view(whh_t.shape).t()
    d = os.path.join(OUT, "gru_views")
    os.makedirs(d, exist_ok=True)
    torch.save(views, os.path.join(d, "state_dict.pt"))
    with torch.no_grad():
        y, _ = m(x)
    with open(os.path.join(d, "expected.json"), "w") as fh:
        json.dump({"forms": ["state_dict.pt"], "facts": {"layout": "time-major", "head": "none"},
                   "input": {"shape": list(x.shape), "dtype": "float32", "data": flat(x)},
                   "output": {"shape": list(y.shape), "data": flat(y)},
                   "versions": {"torch": torch.__version__}}, fh)
    print("gru_views: state_dict.pt")


if __name__ == "__main__":
    for c in cases():
        save(*c)
    dtype_cases()

"""
ONNX fixtures from PyTorch's own exporters, for test/io/onnx-torch.test.ts.

Builds small seeded nn.GRU / nn.LSTM / nn.RNN models (I=3, H=4, T=5, B=2), exports each with
torch.onnx.export twice, the default torch.export-based exporter (dynamo=True, weights over 256
bytes go to "<file>.data" beside the model as external data) and the legacy TorchScript one
(dynamo=False), plus a few with dynamic_shapes (symbolic batch and time). For each model it writes
test/fixtures/interchange/onnx/<name>/{dynamo.onnx[.data], legacy.onnx, dynamic.onnx[.data]} and
expected.json: the input(s), PyTorch's outputs (and, for dynamic exports, a second input with
another batch and length), the torch / onnx / onnxruntime versions, and onnxruntime's max abs diff
from torch on every file (a sanity check of the exporter, not of gated).

    ~/.cache/gated-venv/bin/python scripts/interchange/gen_onnx.py [OUT_DIR]

Deterministic: every model and input comes from torch.manual_seed(<model seed>).
"""
import json
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

I, H, T, B = 3, 4, 5, 2
T2, B2 = 7, 3  # the second input for dynamic exports
VOCAB, EMB = 70, 4  # the embedding table is 1120 bytes: external data in dynamo exports


class Seq(nn.Module):
    """rnn, then a head: "out" (every step), "out+hn" (both), "last" (Linear on h_n[-1]),
    "cat" (Linear on cat(h_n[-2], h_n[-1])), "step" (Linear on every step)."""

    def __init__(self, rnn, head, O=2, emb=False):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB) if emb else None
        self.rnn = rnn
        self.head = head
        D = 2 if rnn.bidirectional else 1
        self.fc = nn.Linear(H * (2 if head == "cat" else D if head == "step" else 1), O) if head in ("last", "cat", "step") else None

    def forward(self, x):
        if self.emb is not None:
            x = self.emb(x)
        out, hn = self.rnn(x)
        if isinstance(hn, tuple):
            hn = hn[0]
        if self.head == "out":
            return out
        if self.head == "out+hn":
            return out, hn
        if self.head == "last":
            return self.fc(hn[-1])
        if self.head == "cat":
            return self.fc(torch.cat((hn[-2], hn[-1]), dim=1))
        return self.fc(out)


# name: (seed, builder, dynamic export?)
MODELS = {
    "gru_1layer": (1, lambda: Seq(nn.GRU(I, H), "out+hn"), False),
    "gru_2layer_bidi_batch_first": (2, lambda: Seq(nn.GRU(I, H, num_layers=2, bidirectional=True, batch_first=True), "out"), True),
    "gru_last_linear": (3, lambda: Seq(nn.GRU(I, H, batch_first=True), "last"), True),
    "gru_bidi_cat_linear": (4, lambda: Seq(nn.GRU(I, H, bidirectional=True, batch_first=True), "cat"), False),
    "embedding_gru_linear": (5, lambda: Seq(nn.GRU(EMB, H, batch_first=True), "step", emb=True), False),
    "lstm_2layer": (6, lambda: Seq(nn.LSTM(I, H, num_layers=2), "out"), False),
    "lstm_bidi_head": (7, lambda: Seq(nn.LSTM(I, H, bidirectional=True, batch_first=True), "cat"), False),
    "rnn_tanh": (8, lambda: Seq(nn.RNN(I, H), "out"), True),
    "rnn_relu": (9, lambda: Seq(nn.RNN(I, H, nonlinearity="relu", batch_first=True), "out"), False),
    "gru_no_bias": (10, lambda: Seq(nn.GRU(I, H, bias=False), "out"), False),
    # beyond the ten: the dynamo exporter unrolls nn.RNN; stacked layers fold back, the reverse
    # direction does not (gated refuses that file and says to export with dynamo=False)
    "rnn_2layer": (11, lambda: Seq(nn.RNN(I, H, num_layers=2), "out"), False),
    "rnn_bidi": (12, lambda: Seq(nn.RNN(I, H, bidirectional=True), "out"), False),
}


def make_input(model, b, t):
    bf = model.rnn.batch_first
    if model.emb is not None:
        return torch.randint(0, VOCAB, (b, t) if bf else (t, b), dtype=torch.int64)
    return torch.randn((b, t, I) if bf else (t, b, I))


def as_list(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


def arr(t):
    a = t.detach().numpy()
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": [float(v) if a.dtype.kind == "f" else int(v) for v in a.reshape(-1)]}


def ort_diff(path, feeds, want):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    got = sess.run(None, {n: f.numpy() for n, f in zip(names, feeds)})
    return max(float(np.max(np.abs(g - w.detach().numpy()))) for g, w in zip(got, want))


def export(model, x, path, dynamo, dynamic=None):
    """dynamic: None, or the axes to make symbolic ("batch", "time")."""
    kw = {}
    if dynamic:
        bf = model.rnn.batch_first
        axes = {"batch": 0 if bf else 1, "time": 1 if bf else 0}
        kw["dynamic_shapes"] = ({axes[a]: torch.export.Dim(a) for a in dynamic},)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), path, dynamo=dynamo, verbose=False, **kw)


def export_dynamic(model, x, path):
    """Asks for symbolic batch and time. torch.export specialises the time axis of the nn.GRU /
    nn.LSTM / nn.RNN kernels to the example's length (torch.onnx then exports it static), so the
    axes that really came out symbolic are read back from the file's input. Returns them."""
    export(model, x, path, True, ("batch", "time"))
    dims = onnx.load(path, load_external_data=False).graph.input[0].type.tensor_type.shape.dim
    bf = model.rnn.batch_first
    names = ["batch", "time"] if bf else ["time", "batch"]
    return [n for n, d in zip(names, dims) if d.dim_param]


def strip_debug_info(path):
    """Drops what only helps debugging (the dynamo exporter's per-node stack traces in
    metadata_props, doc strings), keeping the files a few KB; the graph and its external-data
    references are untouched (onnxruntime's check below runs on the stripped file)."""
    m = onnx.load(path, load_external_data=False)
    for n in m.graph.node:
        del n.metadata_props[:]
        n.doc_string = ""
    m.graph.doc_string = ""
    onnx.save(m, path)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../test/fixtures/interchange/onnx")
    for name, (seed, build, dynamic) in MODELS.items():
        torch.manual_seed(seed)
        model = build().eval()
        x = make_input(model, B, T)
        with torch.no_grad():
            y = as_list(model(x))
        d = os.path.join(out_dir, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        files = {}
        for tag in ["dynamo", "legacy"] + (["dynamic"] if dynamic else []):
            path = os.path.join(d, f"{tag}.onnx")
            axes = export_dynamic(model, x, path) if tag == "dynamic" else export(model, x, path, tag == "dynamo")
            strip_debug_info(path)
            if os.path.exists(path + ".data") and os.path.getsize(path + ".data") == 0:
                os.remove(path + ".data")  # nothing went external: keep the fixture honest
            files[tag] = {"file": f"{tag}.onnx", "external_data": os.path.exists(path + ".data"), "ort_max_diff": ort_diff(path, [x], y)}
            if tag == "dynamic":
                files[tag]["symbolic"] = axes
        expected = {
            "model": repr(model), "seed": seed,
            "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__},
            "inputs": [arr(x)], "outputs": [arr(v) for v in y], "files": files,
        }
        if dynamic:
            x2 = make_input(model, B2, T2 if "time" in files["dynamic"]["symbolic"] else T)
            with torch.no_grad():
                y2 = as_list(model(x2))
            files["dynamic"]["ort_max_diff_second"] = ort_diff(os.path.join(d, "dynamic.onnx"), [x2], y2)
            expected["second"] = {"inputs": [arr(x2)], "outputs": [arr(v) for v in y2]}
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print(name, {k: (v["ort_max_diff"], v["external_data"]) for k, v in files.items()})


if __name__ == "__main__":
    main()

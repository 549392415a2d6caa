# PyTorch as a benchmark peer of bench/run.ts and bench/native.ts (optional: only where a Python
# with torch is found; see pytorch.ts). One process, driven by JSON lines on stdin, one reply per
# line on stdout, so its windows interleave with gated's like the other peers'.
#
#   {"cmd": "prepare", "key": k, "cell": "gru" | "lstm", "B", "T", "I", "H", "train": bool, "file": path}
#       file: float32 little-endian, in order x [T, B, I], dY [T, B, H] (train), then the weights:
#       GRU W [3H, I], U [3H, H], b [3H], c [H] in gated's gate order z, r, h (reset after, as
#       torch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))); LSTM W [4H, I], U [4H, H], b [4H]
#       in the order i, f, c, o (torch's i, f, g, o). → {"ok": true}
#   {"cmd": "measure", "key": k, "seconds": s, "maxCalls": n}   → {"ms": per call, "calls": n}
#   {"cmd": "output", "key": k}   → {"file": path}  the inference output y [T, B, H], float32, beside the input file
#   {"cmd": "exit"}
#
# A training call is forward, backward of Σ y ⊙ dY, and an SGD update (lr 1e-3), as gated's.
# One thread (torch.set_num_threads(1), set before any work), float32, no autograd in inference.
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
calls = {}
outputs = {}


def prepare(m):
    B, T, I, H, cell = m["B"], m["T"], m["I"], m["H"], m["cell"]
    raw = np.fromfile(m["file"], dtype="<f4")
    at = 0

    def take(n, shape):
        nonlocal at
        a = torch.from_numpy(raw[at:at + n].copy()).reshape(shape)
        at += n
        return a

    x = take(T * B * I, (T, B, I))
    dY = take(T * B * H, (T, B, H)) if m["train"] else None
    if cell == "gru":
        W, U, b, c = take(3 * H * I, (3 * H, I)), take(3 * H * H, (3 * H, H)), take(3 * H, (3 * H,)), take(H, (H,))
        net = torch.nn.GRU(I, H)
        zrn = lambda a: torch.cat([a[H:2 * H], a[:H], a[2 * H:]])  # gated z, r, h → torch r, z, n
        with torch.no_grad():
            net.weight_ih_l0.copy_(zrn(W)); net.weight_hh_l0.copy_(zrn(U))
            net.bias_ih_l0.copy_(zrn(b)); net.bias_hh_l0.zero_(); net.bias_hh_l0[2 * H:].copy_(c)
    else:
        W, U, b = take(4 * H * I, (4 * H, I)), take(4 * H * H, (4 * H, H)), take(4 * H, (4 * H,))
        net = torch.nn.LSTM(I, H)
        with torch.no_grad():
            net.weight_ih_l0.copy_(W); net.weight_hh_l0.copy_(U); net.bias_ih_l0.copy_(b); net.bias_hh_l0.zero_()
    params = list(net.parameters())
    if m["train"]:
        def call():
            y, _ = net(x)
            for p in params:
                p.grad = None
            y.backward(dY)
            with torch.no_grad():
                for p in params:
                    p.sub_(1e-3 * p.grad)
    else:
        def call():
            with torch.inference_mode():
                net(x)
    calls[m["key"]] = call
    with torch.inference_mode():
        outputs[m["key"]] = (net(x)[0].numpy().astype("<f4"), m["file"] + ".out")
    return {"ok": True}


def measure(m):
    fn = calls[m["key"]]
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        if time.perf_counter() - t0 >= m["seconds"] or n >= m["maxCalls"]:
            break
    return {"ms": (time.perf_counter() - t0) * 1000 / n, "calls": n}


def output(m):
    y, path = outputs[m["key"]]
    y.tofile(path)
    return {"file": path}


print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    m = json.loads(line)
    try:
        if m["cmd"] == "exit":
            break
        reply = {"prepare": prepare, "measure": measure, "output": output}[m["cmd"]](m)
    except Exception as e:  # the bench prints it and goes on without this peer
        reply = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(reply), flush=True)

#!/usr/bin/env python3
"""
The PyTorch side of `gated export --format pytorch-module`: runs every exported model.py of
test/fixtures/interchange/pytorch-module/<case>/ in real PyTorch and checks it against gated.

For each case (folders made by scripts/interchange/make-module-fixtures.ts):
  1. Model.load("weights.safetensors"), eval mode; outputs on inputs.json's x (batch_first)
     without and with lengths, compared with gated's recorded outputs (max abs diff <= 1e-5);
  2. a fresh Model.load, train mode: L = sum(output(x, lengths) * gOut), L.backward(); every
     trainable parameter must get a finite gradient. Where gated recorded its own gradients of the
     same L (training draws nothing at random), they are compared too (|diff| <= 1e-5 + 1e-4|ref|),
     and so are the running statistics after that training forward (LiGRU batch norm);
  3. writes expected.json: torch's outputs, gradients and buffers (what test/io/pytorch-module.test.ts
     compares gated with), only when every check of every case passed (--check-only writes nothing).
Prints the matrix: case, max |torch - gated| of the outputs and gradients, backward ran.

    ~/.cache/gated-venv/bin/python scripts/interchange/check_pytorch_module.py [--check-only] [case ...]
Exit status 1 when a check fails.
"""
import importlib.util
import json
import math
import os
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.normpath(os.path.join(ROOT, "test", "fixtures", "interchange", "pytorch-module"))
OUT_TOL = 1e-5
GRAD_ATOL, GRAD_RTOL = 1e-5, 1e-4


def load_module(case_dir, name):
    """Imports the case's model.py under a name of its own (every case has a module called model)."""
    spec = importlib.util.spec_from_file_location(f"gated_module_{name.replace('-', '_')}", os.path.join(case_dir, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tensor(arr, dtype):
    return torch.tensor(arr["data"], dtype=dtype).reshape(arr["shape"])


def max_diff(a, b):
    a = torch.as_tensor(a, dtype=torch.float64).flatten()
    b = torch.as_tensor(b, dtype=torch.float64).flatten()
    if a.shape != b.shape:
        return math.inf
    return float((a - b).abs().max()) if a.numel() else 0.0


def grad_ok(got, want):
    got = torch.as_tensor(got, dtype=torch.float64).flatten()
    want = torch.as_tensor(want, dtype=torch.float64).flatten()
    return got.shape == want.shape and bool(((got - want).abs() <= GRAD_ATOL + GRAD_RTOL * want.abs()).all())


def check_case(name):
    case_dir = os.path.join(FIXTURES, name)
    with open(os.path.join(case_dir, "inputs.json")) as f:
        inp = json.load(f)
    mod = load_module(case_dir, name)
    weights = os.path.join(case_dir, "weights.safetensors")
    tokens = mod.CONFIG["input"]["kind"] == "tokens"
    real = torch.float64 if mod.CONFIG["dtype"] == "float64" else torch.float32
    x = tensor(inp["x"], torch.long if tokens else real)
    lengths = torch.tensor(inp["lengths"], dtype=torch.long)
    gated = inp["gated"]
    problems = []

    # 1. inference, eval mode
    m = mod.Model.load(weights)
    with torch.no_grad():
        full, padded = m(x), m(x, lengths)
    d_full, d_len = max_diff(full, tensor(gated["full"], torch.float64)), max_diff(padded, tensor(gated["lengths"], torch.float64))
    if not d_full <= OUT_TOL:
        problems.append(f"outputs without lengths differ from gated's by {d_full:.3e} (> {OUT_TOL})")
    if not d_len <= OUT_TOL:
        problems.append(f"outputs with lengths differ from gated's by {d_len:.3e} (> {OUT_TOL})")

    # 2. one backward pass, train mode, from fresh weights
    m = mod.Model.load(weights).train()
    torch.manual_seed(0)
    out = m(x, lengths)
    loss = (out * tensor(inp["gOut"], real)).sum()
    loss.backward()
    grads = {k: p.grad for k, p in m.named_parameters()}
    missing = [k for k, g in grads.items() if g is None or not bool(torch.isfinite(g).all())]
    if missing:
        problems.append(f"no finite gradient for {', '.join(missing)}")
    d_grad = None
    if "grads" in gated:
        d_grad = 0.0
        if sorted(gated["grads"]) != sorted(grads):
            problems.append(f"parameters differ: gated {sorted(gated['grads'])}, torch {sorted(grads)}")
        for k, want in gated["grads"].items():
            if k not in grads or grads[k] is None:
                continue
            d_grad = max(d_grad, max_diff(grads[k], want))
            if not grad_ok(grads[k], want):
                problems.append(f"gradient of {k} differs from gated's by {max_diff(grads[k], want):.3e}")
        for k, want in gated.get("buffers", {}).items():
            got = dict(m.named_buffers())[k]
            if not grad_ok(got, want):
                problems.append(f"buffer {k} after a training forward differs from gated's by {max_diff(got, want):.3e}")
    expected = {
        "generator": "scripts/interchange/check_pytorch_module.py", "torch": torch.__version__, "case": name,
        "full": {"shape": list(full.shape), "data": full.flatten().tolist()},
        "lengths": {"shape": list(padded.shape), "data": padded.flatten().tolist()},
        "backward": {"loss": float(loss.detach()), "parameters": len(grads), "finite": not missing},
        "grads": {k: g.flatten().tolist() for k, g in sorted(grads.items())} if "grads" in gated else None,
        "buffers": {k: b.flatten().tolist() for k, b in sorted(m.named_buffers())} if "buffers" in gated else None,
        "maxDiff": {"full": d_full, "lengths": d_len, "grads": d_grad},
    }
    return expected, problems


def main(argv):
    check_only = "--check-only" in argv
    names = [a for a in argv if not a.startswith("--")]
    if not names:
        names = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))
    results, failed = {}, False
    print(f"torch {torch.__version__}")
    print(f"{'case':34} {'outputs':>9} {'lengths':>9} {'grads':>9}  backward")
    for name in names:
        expected, problems = check_case(name)
        results[name] = expected
        d = expected["maxDiff"]
        g = "-" if d["grads"] is None else f"{d['grads']:.2e}"
        ran = "ran" + ("" if d["grads"] is not None else " (random training: not compared)")
        print(f"{name:34} {d['full']:9.2e} {d['lengths']:9.2e} {g:>9}  {ran}")
        for p in problems:
            print(f"  FAIL {name}: {p}")
        failed = failed or bool(problems)
    if failed:
        print("some checks failed; expected.json not written")
        return 1
    if not check_only:
        for name, expected in results.items():
            with open(os.path.join(FIXTURES, name, "expected.json"), "w") as f:
                json.dump(expected, f)
                f.write("\n")
        print(f"wrote expected.json for {len(results)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

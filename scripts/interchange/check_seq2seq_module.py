#!/usr/bin/env python3
"""
The PyTorch side of `gated export SEQ2SEQ --format pytorch-module`: runs every exported model.py of
test/fixtures/interchange/seq2seq-module/<case>/ in real PyTorch and checks it against gated.

For each case (folders made by scripts/interchange/make-seq2seq-module-fixtures.ts):
  1. Model.load("weights.safetensors"), eval mode; teacher-forced logits m(src, src_len, tgt_in)
     [B, T, V] compared with gated's (max abs diff <= 1e-5);
  2. m.greedy(src, src_len, maxLength), each row cut before its first eos: the very tokens gated's
     greedy decoding gave;
  3. train mode, L = cross-entropy of the teacher-forced logits against tgt_in shifted by one,
     L.backward(): every parameter gets a finite gradient (the module trains with autograd);
  4. writes expected.json (torch's logits and tokens, what test/seq2seq/pytorch-module.test.ts
     compares gated with), only when every check of every case passed (--check-only writes nothing).
Prints the matrix: case, max |torch - gated| of the logits, greedy tokens equal, backward ran.

    ~/.cache/gated-venv/bin/python scripts/interchange/check_seq2seq_module.py [--check-only] [case ...]
Exit status 1 when a check fails.
"""
import importlib.util
import json
import math
import os
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.normpath(os.path.join(ROOT, "test", "fixtures", "interchange", "seq2seq-module"))
OUT_TOL = 1e-5


def load_module(case_dir, name):
    """Imports the case's model.py under a name of its own (every case has a module called model)."""
    spec = importlib.util.spec_from_file_location(f"gated_seq2seq_{name.replace('-', '_')}", os.path.join(case_dir, "model.py"))
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


def strip(rows, eos):
    """Each row's tokens before its first eos (gated's greedy decode drops the eos)."""
    out = []
    for row in rows:
        row = list(row)
        out.append(row[: row.index(eos)] if eos in row else row)
    return out


def check_case(name):
    case_dir = os.path.join(FIXTURES, name)
    with open(os.path.join(case_dir, "inputs.json")) as f:
        inp = json.load(f)
    mod = load_module(case_dir, name)
    weights = os.path.join(case_dir, "weights.safetensors")
    eos = mod.CONFIG["vocabularies"]["eos"]
    src, tgt_in = tensor(inp["src"], torch.long), tensor(inp["tgtIn"], torch.long)
    src_len = torch.tensor(inp["srcLen"], dtype=torch.long)
    gated = inp["gated"]
    problems = []

    # 1, 2. inference, eval mode
    m = mod.Model.load(weights)
    with torch.no_grad():
        logits = m(src, src_len, tgt_in)
    tokens = strip(m.greedy(src, src_len, inp["maxLength"]).tolist(), eos)
    d_logits = max_diff(logits, tensor(gated["logits"], torch.float64))
    if not d_logits <= OUT_TOL:
        problems.append(f"teacher-forced logits differ from gated's by {d_logits:.3e} (> {OUT_TOL})")
    if tokens != gated["greedy"]:
        problems.append(f"greedy tokens differ: torch {tokens}, gated {gated['greedy']}")

    # 3. one backward pass, train mode
    m = mod.Model.load(weights).train()
    out = m(src, src_len, tgt_in)
    target = torch.cat([tgt_in[:, 1:], torch.full_like(tgt_in[:, :1], eos)], 1)
    loss = torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))
    loss.backward()
    missing = [k for k, p in m.named_parameters() if p.grad is None or not bool(torch.isfinite(p.grad).all())]
    if missing:
        problems.append(f"no finite gradient for {', '.join(missing)}")
    expected = {
        "generator": "scripts/interchange/check_seq2seq_module.py", "torch": torch.__version__, "case": name,
        "logits": {"shape": list(logits.shape), "data": logits.flatten().tolist()},
        "greedy": tokens,
        "backward": {"loss": float(loss.detach()), "parameters": len(list(m.parameters())), "finite": not missing},
        "maxDiff": {"logits": d_logits},
    }
    return expected, problems


def main(argv):
    check_only = "--check-only" in argv
    names = [a for a in argv if not a.startswith("--")]
    if not names:
        names = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))
    results, failed = {}, False
    print(f"torch {torch.__version__}")
    print(f"{'case':30} {'logits':>9}  greedy  backward")
    for name in names:
        expected, problems = check_case(name)
        results[name] = expected
        same = "equal" if not any("greedy" in p for p in problems) else "DIFFER"
        ran = "ran" if expected["backward"]["finite"] else "FAILED"
        print(f"{name:30} {expected['maxDiff']['logits']:9.2e}  {same:6}  {ran}")
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

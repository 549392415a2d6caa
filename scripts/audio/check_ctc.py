"""Records torch.nn.functional.ctc_loss values and gradients for test/audio/ctc.test.ts.

Run:  ~/.cache/gated-venv/bin/python scripts/audio/check_ctc.py
(recorded with torch 2.13.0+cpu, float64, seed 20261206). For each case: logits [T, B, C]
(time-major), input lengths, concatenated labels, label lengths, blank; the per-row losses
(reduction "none"), the "mean" and "sum" losses and d(mean loss)/d(logits), with
log_probs = log_softmax(logits) inside the graph.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "audio", "ctc.json")
g = torch.Generator().manual_seed(20261206)


def case(name, T, B, C, lengths, labels, blank=0, blank_bias=0.0, scale=1.5):
    z = torch.randn(T, B, C, generator=g, dtype=torch.float64) * scale
    z[:, :, blank] += blank_bias
    z.requires_grad_(True)
    lp = torch.log_softmax(z, dim=2)
    flat = torch.tensor([l for row in labels for l in row], dtype=torch.long)
    ll = torch.tensor([len(r) for r in labels], dtype=torch.long)
    il = torch.tensor(lengths, dtype=torch.long)
    none = torch.nn.functional.ctc_loss(lp, flat, il, ll, blank=blank, reduction="none")
    s = torch.nn.functional.ctc_loss(lp, flat, il, ll, blank=blank, reduction="sum")
    mean = torch.nn.functional.ctc_loss(lp, flat, il, ll, blank=blank, reduction="mean")
    (grad,) = torch.autograd.grad(mean, z)
    return dict(name=name, shape=[T, B, C], logits=z.detach().reshape(-1).tolist(), lengths=lengths,
                labels=flat.tolist(), labelLengths=ll.tolist(), blank=blank, losses=none.tolist(),
                sum=s.item(), mean=mean.item(), dMean=grad.reshape(-1).tolist())


def main():
    cases = [
        case("random", 12, 3, 5, [12, 10, 7], [[1, 2, 3], [4, 1], [2, 3, 2, 4]]),
        case("repeated labels", 10, 2, 4, [10, 9], [[1, 1, 2], [3, 3, 3, 3]]),
        case("blank-heavy", 15, 2, 6, [15, 11], [[5, 2], [1, 4, 4]], blank_bias=4.0),
        case("blank last, empty target", 8, 2, 4, [8, 5], [[0, 1, 1], []], blank=3),
        case("tight alignment", 5, 1, 3, [5], [[1, 1, 2]]),  # needs at least 4 of its 5 frames: 1 ∅ 1 2
    ]
    with open(OUT, "w") as f:
        json.dump(dict(meta=dict(torch=torch.__version__, seed=20261206), cases=cases), f)
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()

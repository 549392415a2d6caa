"""Records the McSharry et al. (2003) ECG model integrated by scipy (solve_ivp, DOP853, rtol 1e-10,
atol 1e-12) as the reference for test/data/ecg.test.ts: test/fixtures/ecg/mcsharry-scipy.json.

The case: the paper's Table 1 waves with ECGSYN's heart-rate scaling at 72 bpm, a constant RR of
60/72 s (ω = 2π·72/60), baseline wander A = 0.15 mV at 0.25 Hz, start (x, y, z) = (cos φ, sin φ, 0)
with φ = 2.5 rad, no noise. As gated's generator (src/data/ecg.ts): z in mV is G·z with
G = 2π/(a_R b_R²); the first 3 s are discarded; each output sample (100 Hz) is the mean of z at the
ends of 5 internal steps of 1/500 s. Deterministic (no seed needed).
Run: ~/.cache/gated-venv/bin/python scripts/ecg/ecg_reference.py
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy.integrate import solve_ivp

HR, PHASE, A_MV, F_RESP, RATE, INTERNAL, WARMUP, SECONDS = 72.0, 2.5, 0.15, 0.25, 100, 500, 3.0, 4.0
theta = np.array([-math.pi / 3, -math.pi / 12, 0.0, math.pi / 12, math.pi / 2])
a = np.array([1.2, -5.0, 30.0, -7.5, 0.75])
b = np.array([0.25, 0.1, 0.1, 0.1, 0.4])
h = math.sqrt(HR / 60)
theta = theta * np.array([math.sqrt(h), h, 1.0, h, 1.0])
b = b * h
G = 2 * math.pi / (30 * 0.1 * 0.1)
omega = 2 * math.pi * HR / 60


def rhs(t, s):
    x, y, z = s
    alpha = 1 - math.hypot(x, y)
    th = math.atan2(y, x)
    d = np.mod(th - theta + math.pi, 2 * math.pi) - math.pi
    z0 = (A_MV / G) * math.sin(2 * math.pi * F_RESP * t)
    return [alpha * x - omega * y, alpha * y + omega * x, -np.sum(a * d * np.exp(-d * d / (2 * b * b))) - (z - z0)]


q = INTERNAL // RATE
warm = int(round(WARMUP * INTERNAL))
n_out = int(round(SECONDS * RATE))
t_eval = (np.arange(warm, warm + n_out * q) + 1) / INTERNAL
sol = solve_ivp(rhs, (0, t_eval[-1]), [math.cos(PHASE), math.sin(PHASE), 0.0], method="DOP853", rtol=1e-10, atol=1e-12, t_eval=t_eval, max_step=1e-3)
z = G * sol.y[2]
out = z.reshape(n_out, q).mean(axis=1)
root = pathlib.Path(__file__).resolve().parents[2]
path = root / "test/fixtures/ecg/mcsharry-scipy.json"
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps({
    "scipy": scipy.__version__, "heartRate": HR, "phase": PHASE, "wander": A_MV, "respiration": F_RESP,
    "rate": RATE, "seconds": SECONDS, "signal": [round(float(v), 9) for v in out],
}) + "\n")
print(path, len(out), float(out.min()), float(out.max()))

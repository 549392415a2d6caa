"""Records statsmodels' Holt-Winters (and SARIMA) forecasts of the Mauna Loa CO2 series as the
reference for test/forecast/baselines.test.ts: test/fixtures/forecast/co2-statsmodels.json.

The series is the CSV in src/data/co2-series.ts (vega-datasets), monthly, its missing months filled
by linear interpolation; the last 20 years before the final 24 months are fitted, 24 months are
forecast. Two checks:
  known      fixed α, β, γ and initial states (optimized=False): the recursion itself, exact;
  estimated  statsmodels' own fit (initialization_method="estimated", SSE by its default optimiser):
             a check of gated's fit, equal up to the optimisers' stopping points.
Deterministic (no seed needed). Run: ~/.cache/gated-venv/bin/python scripts/forecast/check_baselines.py
"""
import json
import pathlib
import re

import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.statespace.sarimax import SARIMAX

root = pathlib.Path(__file__).resolve().parents[2]
text = (root / "src/data/co2-series.ts").read_text()
rows = re.findall(r"^(\d{4})-(\d{2})-\d{2},([\d.]+)$", text, flags=re.M)
months = {(int(y) * 12 + int(m) - 1): float(v) for y, m, v in rows}
first, last = min(months), max(months)
idx = np.arange(first, last + 1)
known = np.array([k in months for k in idx])
values = np.interp(idx, idx[known], [months[k] for k in idx[known]])

H, FIT = 24, 240
y = values[-(FIT + H):-H]
actual = values[-H:]
m = 12

est = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=m, initialization_method="estimated").fit()
p = est.params
fixed = dict(alpha=0.5, beta=0.05, gamma=0.2, level=float(y[:m].mean()), trend=float((y[m:2 * m].mean() - y[:m].mean()) / m),
             seasonal=[float(v) for v in (y[:m] - y[:m].mean())])
kn = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=m, initialization_method="known",
                          initial_level=fixed["level"], initial_trend=fixed["trend"], initial_seasonal=fixed["seasonal"]).fit(
    smoothing_level=fixed["alpha"], smoothing_trend=fixed["beta"], smoothing_seasonal=fixed["gamma"], optimized=False)

sarima = SARIMAX(y, order=(1, 1, 1), seasonal_order=(0, 1, 1, m)).fit(disp=False)
sf = sarima.get_forecast(H)

out = {
    "generator": "scripts/forecast/check_baselines.py",
    "statsmodels": statsmodels.__version__,
    "season": m,
    "series": [round(float(v), 6) for v in y],
    "actual": [round(float(v), 6) for v in actual],
    # statsmodels' forecast at h = m does not use its own last seasonal state (season[-1]); the final
    # states are recorded so the recursion is checked against them, and the forecasts for h < m
    "known": {**fixed, "sse": float(kn.sse), "forecast": [float(v) for v in kn.forecast(H)],
              "final": {"level": float(kn.level[-1]), "trend": float(kn.trend[-1]), "seasonal": [float(v) for v in kn.season[-m:]]}},
    "estimated": {
        "alpha": float(p["smoothing_level"]), "beta": float(p["smoothing_trend"]), "gamma": float(p["smoothing_seasonal"]),
        "sse": float(est.sse), "forecast": [float(v) for v in est.forecast(H)],
    },
    "sarima": {"order": [1, 1, 1], "seasonal": [0, 1, 1, m], "forecast": [float(v) for v in sf.predicted_mean],
               "lower95": [float(v) for v in sf.conf_int(alpha=0.05)[:, 0]], "upper95": [float(v) for v in sf.conf_int(alpha=0.05)[:, 1]]},
}
dest = root / "test/fixtures/forecast/co2-statsmodels.json"
dest.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {dest.relative_to(root)}: HW alpha={out['estimated']['alpha']:.4f} beta={out['estimated']['beta']:.4f} "
      f"gamma={out['estimated']['gamma']:.4f} sse={out['estimated']['sse']:.4f}")

"""Records scipy's Student-t quantiles (scipy.stats.t.ppf) on a grid of probabilities and degrees of
freedom, tails and huge ν included, as the reference for test/forecast/metrics-backtest.test.ts:
test/fixtures/forecast/student-t-quantiles.json ([[p, ν, t_ν⁻¹(p)], ...]).
Deterministic. Run: ~/.cache/gated-venv/bin/python scripts/forecast/student_t_quantiles.py
"""
import json
import pathlib

import scipy
from scipy.stats import t

PS = [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999, 1 - 1e-6]
NUS = [0.3, 1, 2.000001, 2.5, 3, 4.7, 10, 30, 100, 1e4, 1e8]

rows = [[p, nu, float(t.ppf(p, nu))] for p in PS for nu in NUS]
out = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "forecast" / "student-t-quantiles.json"
out.write_text(json.dumps({"scipy": scipy.__version__, "rows": rows}, indent=0) + "\n")
print(f"wrote {out} ({len(rows)} quantiles, scipy {scipy.__version__})")

#!/usr/bin/python3
"""Independent reference values for Stratus' drift statistics (tests/Stratus.UnitTests/Monitoring/DriftTestsTests.cs).

Run from the repository root with Debian's python3-numpy and python3-scipy:
    /usr/bin/python3 tests/Stratus.UnitTests/Monitoring/Fixtures/make_drift_fixture.py
It rewrites drift_fixture.json beside this script. Seeded: re-running reproduces the same file.

- KS: bins are every distinct value of either sample (each its own half-open bin) plus one edge above the maximum,
  so the binned statistic is the exact two-sample D; SciPy's ks_2samp gives D and kstwobign.sf the asymptotic p-value.
- Chi-square: scipy.stats.chi2_contingency on the 2 x k table, without continuity correction.
- PSI: sum (a - e) ln(a / e) over proportions raised to at least 1e-4, in numpy.
"""
import json
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261202)
cases = {"ks": [], "chi2": [], "psi": []}

for n, m, shift, scale in [(200, 300, 0.0, 1.0), (500, 400, 0.3, 1.0), (1000, 2000, 0.0, 1.5), (80, 60, 1.0, 1.0)]:
    a = np.round(rng.normal(0.0, 1.0, n), 3)
    b = np.round(rng.normal(shift, scale, m), 3)
    values = np.unique(np.concatenate([a, b]))
    edges = np.append(values, values[-1] + 1.0)
    # Stratus' bins: [0] below edges[0]; [i] = [edges[i-1], edges[i]); the range's last bin is closed; [len] above.
    def counts(x):
        c = np.zeros(len(edges) + 1, dtype=np.int64)
        for v in x:
            if v < edges[0]:
                c[0] += 1
            elif v > edges[-1]:
                c[-1] += 1
            elif v == edges[-1]:
                c[len(edges) - 1] += 1
            else:
                c[np.searchsorted(edges, v, side="right")] += 1
        return c
    result = stats.ks_2samp(a, b)
    en = np.sqrt(n * m / (n + m))
    cases["ks"].append({
        "edges": edges.tolist(),
        "reference": counts(a).tolist(),
        "live": counts(b).tolist(),
        "statistic": float(result.statistic),
        "pValue": float(stats.kstwobign.sf(en * result.statistic)),
    })

for reference, live in [([500, 300, 200], [480, 320, 200]), ([500, 300, 200], [5000, 4000, 1000]), ([40, 0, 10, 50], [30, 5, 0, 65]), ([900, 100], [850, 150])]:
    statistic, p, dof, _ = stats.chi2_contingency(np.array([reference, live]) [:, np.array(reference) + np.array(live) > 0], correction=False)
    cases["chi2"].append({"reference": reference, "live": live, "statistic": float(statistic), "pValue": float(p)})

for expected, actual in [([100] * 10, [100] * 10), ([100] * 10, [50, 50, 80, 100, 100, 100, 120, 130, 130, 140]), ([500, 0, 500], [400, 100, 500]), ([10, 20, 30, 40], [40, 30, 20, 10])]:
    e = np.maximum(np.array(expected) / sum(expected), 1e-4)
    a = np.maximum(np.array(actual) / sum(actual), 1e-4)
    cases["psi"].append({"expected": expected, "actual": actual, "psi": float(np.sum((a - e) * np.log(a / e)))})

with open(os.path.join(os.path.dirname(__file__), "drift_fixture.json"), "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")

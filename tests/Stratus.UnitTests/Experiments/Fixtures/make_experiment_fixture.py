#!/usr/bin/python3
"""Independent reference values for Stratus' A/B experiment statistics (tests/Stratus.UnitTests/Experiments).

Run from the repository root with Debian's python3-numpy and python3-scipy (no statsmodels):
    /usr/bin/python3 tests/Stratus.UnitTests/Experiments/Fixtures/make_experiment_fixture.py
It rewrites experiment_fixture.json beside this script. Seeded: re-running reproduces the same file.

z = norm.ppf(1 - alpha/2) with alpha = 0.05 unless a case gives its own. Variant 0 is control, 1 treatment.

- binary: per variant p = x/n and the Wald interval p +- z sqrt(p(1-p)/n); lift = p1 - p0 with
  lift +- z sqrt(v0 + v1), v = p(1-p)/n; relativeLift = lift/p0 with the delta-method interval
  relativeLift +- z sqrt(v1/p0^2 + p1^2 v0/p0^4); pValue is the two-sided two-proportion z-test on the pooled
  rate (x0+x1)/(n0+n1); mSPRT (normal mixture, Johari et al.) with V = v0 + v1 and the case's tau2:
  Lambda = sqrt(V/(V+tau2)) exp(tau2 lift^2 / (2 V (V+tau2))), alwaysValidP = min(1, 1/Lambda),
  alwaysValidCi = lift +- sqrt(V (V+tau2)/tau2 (2 ln(1/alpha) + ln((V+tau2)/V))).
- continuous: per-unit values (revenue-like: mostly zeros, some lognormal amounts, rounded to cents); the same
  quantities with v = s^2/n (s the sample sd, ddof=1) and the per-variant interval mean +- z s/sqrt(n);
  pValue is Welch's t-test (scipy.stats.ttest_ind(values1, values0, equal_var=False)); welchDf is the
  Welch-Satterthwaite df (v0+v1)^2 / (v0^2/(n0-1) + v1^2/(n1-1)); mSPRT as above with V = v0 + v1.
- srm: sample-ratio-mismatch chi-square goodness of fit, scipy.stats.chisquare(units, weights * sum(units)).
- sampleSize: per-variant n for a two-sided test. binary: p1 = p0 (1 + mde),
  exact = (z_{1-alpha/2} + z_power)^2 (p0(1-p0) + p1(1-p1)) / (p1-p0)^2; continuous:
  exact = 2 (z_{1-alpha/2} + z_power)^2 sd^2 / (baseline mde)^2; perVariant = ceil(exact).
"""
import json
import math
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261204)
cases = {"binary": [], "continuous": [], "srm": [], "sampleSize": []}
ALPHA = 0.05
Z = float(stats.norm.ppf(1 - ALPHA / 2))


def interval(centre, half):
    return [float(centre - half), float(centre + half)]


def msprt(lift, v, tau2, alpha=ALPHA):
    lam = math.sqrt(v / (v + tau2)) * math.exp(tau2 * lift * lift / (2 * v * (v + tau2)))
    half = math.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + math.log((v + tau2) / v)))
    return min(1.0, 1.0 / lam), interval(lift, half)


def effects(mean0, mean1, v0, v1, tau2):
    lift = mean1 - mean0
    rel = lift / mean0
    always_p, always_ci = msprt(lift, v0 + v1, tau2)
    return {
        "lift": float(lift),
        "liftCi": interval(lift, Z * math.sqrt(v0 + v1)),
        "relativeLift": float(rel),
        "relativeLiftCi": interval(rel, Z * math.sqrt(v1 / mean0 ** 2 + mean1 ** 2 * v0 / mean0 ** 4)),
        "alwaysValidP": float(always_p),
        "alwaysValidCi": always_ci,
    }


# binary: (n0, rate0, n1, rate1, tau2); the equal-rate and large-lift cases are fixed, the rest are binomial draws.
binary_inputs = [(5000, 500, 5000, 500, 0.0001), (2000, 200, 2000, 300, 0.01)]
for n0, r0, n1, r1, tau2 in [(200, 0.30, 240, 0.36, 0.01), (8000, 0.05, 8200, 0.055, 0.0001), (20000, 0.12, 19500, 0.125, 0.0001)]:
    binary_inputs.append((n0, int(rng.binomial(n0, r0)), n1, int(rng.binomial(n1, r1)), tau2))
for n0, x0, n1, x1, tau2 in binary_inputs:
    p0, p1 = x0 / n0, x1 / n1
    v0, v1 = p0 * (1 - p0) / n0, p1 * (1 - p1) / n1
    pooled = (x0 + x1) / (n0 + n1)
    z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    case = {"n0": n0, "x0": x0, "n1": n1, "x1": x1, "tau2": tau2,
            "mean0": float(p0), "mean1": float(p1),
            "ci0": interval(p0, Z * math.sqrt(v0)), "ci1": interval(p1, Z * math.sqrt(v1)),
            "pValue": float(2 * stats.norm.sf(abs(z)))}
    case.update(effects(p0, p1, v0, v1, tau2))
    cases["binary"].append(case)

# continuous: (n0, n1, buy rate 0, buy rate 1, lognormal mu 0, mu 1, sigma, tau2)
for n0, n1, b0, b1, mu0, mu1, sigma, tau2 in [(50, 60, 0.30, 0.35, 3.0, 3.1, 0.8, 1.0),
                                              (400, 380, 0.10, 0.10, 3.5, 3.5, 1.0, 0.01),
                                              (1500, 1500, 0.08, 0.10, 3.2, 3.3, 1.1, 0.01),
                                              (3000, 2800, 0.05, 0.05, 4.0, 4.2, 0.9, 1.0)]:
    def draw(n, b, mu):
        return np.round(np.where(rng.random(n) < b, rng.lognormal(mu, sigma, n), 0.0), 2)
    a, c = draw(n0, b0, mu0), draw(n1, b1, mu1)
    m0, m1 = float(np.mean(a)), float(np.mean(c))
    s0, s1 = float(np.std(a, ddof=1)), float(np.std(c, ddof=1))
    v0, v1 = s0 ** 2 / n0, s1 ** 2 / n1
    case = {"values0": a.tolist(), "values1": c.tolist(), "tau2": tau2,
            "mean0": m0, "mean1": m1,
            "ci0": interval(m0, Z * s0 / math.sqrt(n0)), "ci1": interval(m1, Z * s1 / math.sqrt(n1)),
            "pValue": float(stats.ttest_ind(c, a, equal_var=False).pvalue),
            "welchDf": float((v0 + v1) ** 2 / (v0 ** 2 / (n0 - 1) + v1 ** 2 / (n1 - 1)))}
    case.update(effects(m0, m1, v0, v1, tau2))
    cases["continuous"].append(case)

for units, weights in [([5500, 4500], [0.5, 0.5]), ([5023, 4977], [0.5, 0.5]),
                       ([2010, 3985, 4005], [0.2, 0.4, 0.4]), ([3400, 3150, 3450], [1 / 3, 1 / 3, 1 / 3])]:
    expected = np.array(weights) * sum(units)
    cases["srm"].append({"units": units, "weights": weights,
                         "pValue": float(stats.chisquare(units, f_exp=expected).pvalue)})

for spec in [{"kind": "binary", "baseline": 0.10, "mde": 0.05, "alpha": 0.05, "power": 0.8},
             {"kind": "binary", "baseline": 0.02, "mde": 0.10, "alpha": 0.05, "power": 0.9},
             {"kind": "continuous", "baseline": 50.0, "sd": 120.0, "mde": 0.02, "alpha": 0.05, "power": 0.8},
             {"kind": "continuous", "baseline": 10.0, "sd": 4.0, "mde": 0.05, "alpha": 0.01, "power": 0.8}]:
    zz = (stats.norm.ppf(1 - spec["alpha"] / 2) + stats.norm.ppf(spec["power"])) ** 2
    if spec["kind"] == "binary":
        p0 = spec["baseline"]
        p1 = p0 * (1 + spec["mde"])
        exact = zz * (p0 * (1 - p0) + p1 * (1 - p1)) / (p1 - p0) ** 2
    else:
        exact = 2 * zz * spec["sd"] ** 2 / (spec["baseline"] * spec["mde"]) ** 2
    cases["sampleSize"].append(dict(spec, perVariant=int(math.ceil(exact)), exact=float(exact)))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "experiment_fixture.json"), "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")

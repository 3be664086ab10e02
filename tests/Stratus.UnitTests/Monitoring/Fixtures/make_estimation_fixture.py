#!/usr/bin/python3
"""Independent reference values for Stratus' performance estimation (CBPE-style calibration, estimated metrics, sampling error).

Run from the repository root with Debian's python3-numpy and python3-sklearn:
    /usr/bin/python3 tests/Stratus.UnitTests/Monitoring/Fixtures/make_estimation_fixture.py
It rewrites estimation_fixture.json beside this script. Seeded: re-running reproduces the same file.
Generated inputs are rounded (to 6 decimals, or 2 where ties are wanted) first; every expected value is computed from the
stored, rounded inputs. All std values are population std (ddof 0). The definitions follow Stratus' spec, which
deliberately differs from NannyML in tie handling (tied raw scores form one ROC step; no rounding of cumulative sums).

- isotonic: sklearn.isotonic.IsotonicRegression(out_of_bounds="clip", increasing=True) fitted on (x, y); expected =
  predict(query). query holds points below min(x), above max(x), exactly equal to some x (min and max included), and random.
  One case has x rounded to 2 decimals, so x has duplicates.
- ece: rows sorted by score ascending (stable argsort); N rows, B = bins, but B = N // 2 when N <= 2B; w = N // B; index edges
  0, w, 2w, ..., k*w <= N with the last edge set to N (floor(N / w) bins, the last one takes the remainder);
  ECE = sum over bins of (|bin| / N) * |mean(score) - mean(label)|. One case has scores rounded to 2 decimals (ties).
- binary: soft confusion counts from calibrated p and the given predicted labels: TP = sum p over pred 1, FP = sum (1 - p)
  over pred 1, FN = sum p over pred 0, TN = sum (1 - p) over pred 0; accuracy = (TP + TN) / n; f1 = TP / (TP + 0.5 (FP + FN)).
  roc_auc: rows grouped by distinct raw score, groups taken in descending raw score; the curve starts at (0, 0) and each
  group adds its sum of p to cumulative TP and its sum of (1 - p) to cumulative FP, giving one point; x is normalised by total
  FP, y by total TP; trapezoidal area. Predicted = 1 if raw >= 0.5, with about 5% flipped at random.
- multiclass (3 classes): accuracy = mean of calibrated[i, predicted[i]]; f1 = mean over classes of the binary f1 with
  p = calibrated[:, c] and predicted (predicted == c); roc_auc = mean over classes of the binary roc_auc with
  p = calibrated[:, c] and raw = raw[:, c]. raw rows are softmax rows, calibrated = per-column monotone map then row
  renormalisation (both rounded after, so rows need not sum to exactly 1); predicted = argmax(raw), about 5% random.
- sampling: accuracy_std = std(labels == predicted). F1: relevant rows are TP, FP, FN by hard labels, N_rel their count,
  c = N_rel / (nTP + 0.5 (nFP + nFN)), v = c on TP rows and 0 on FP/FN rows; f1_std = std(v), f1_fraction = N_rel / n.
  AUC: if mean(labels) > 0.5, labels := 1 - labels and scores := 1 - scores; for each positive, placement
  V = (#negatives with lower score + 0.5 #negatives with equal score) / n_neg; auc_std = std(V over positives),
  auc_fraction = n_pos / n (after the flip). One case has rounded scores (ties), one has a positive majority (flip).
- regression: mae_std = std(|y - yhat|), mse_std = std((y - yhat)^2), mse_mean = mean((y - yhat)^2).
"""
import json
import os

import numpy as np
from sklearn.isotonic import IsotonicRegression

rng = np.random.default_rng(20261203)
cases = {"isotonic": [], "ece": [], "binary": [], "multiclass": [], "sampling": [], "regression": []}


def soft_f1(p, predicted):
    tp = float(np.sum(p[predicted == 1]))
    fp = float(np.sum(1.0 - p[predicted == 1]))
    fn = float(np.sum(p[predicted == 0]))
    denominator = tp + 0.5 * (fp + fn)
    return tp / denominator if denominator != 0 else 0.0


def soft_accuracy(p, predicted):
    tp = np.sum(p[predicted == 1])
    tn = np.sum(1.0 - p[predicted == 0])
    return float((tp + tn) / len(p))


def soft_roc_auc(p, raw):
    values, group = np.unique(raw, return_inverse=True)  # ascending distinct raw scores
    tp_group = np.bincount(group, weights=p, minlength=len(values))[::-1]  # descending raw score
    fp_group = np.bincount(group, weights=1.0 - p, minlength=len(values))[::-1]
    tps = np.concatenate([[0.0], np.cumsum(tp_group)])
    fps = np.concatenate([[0.0], np.cumsum(fp_group)])
    tpr = tps / tps[-1]
    fpr = fps / fps[-1]
    return float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2.0))


# isotonic
for n, decimals, link in [(50, 6, lambda x: x), (200, 2, lambda x: x ** 2), (1000, 6, lambda x: 0.1 + 0.8 * x), (37, 6, lambda x: np.sqrt(x))]:
    x = np.round(rng.uniform(0.0, 1.0, n), decimals)
    y = (rng.random(n) < link(x)).astype(int)
    lo, hi = float(np.min(x)), float(np.max(x))
    below = np.round(lo - np.array([0.5, 0.05, 1e-3]), 6)
    above = np.round(hi + np.array([1e-3, 0.05, 0.5]), 6)
    equal = np.concatenate([[lo, hi], rng.choice(x, 12, replace=False)])
    random = np.round(rng.uniform(0.0, 1.0, 60 - len(below) - len(above) - len(equal)), 6)
    query = np.concatenate([below, above, equal, random])
    assert len(query) == 60 and np.all(below < lo) and np.all(above > hi)
    model = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(x, y)
    cases["isotonic"].append({"x": x.tolist(), "y": y.tolist(), "query": query.tolist(), "expected": model.predict(query).astype(float).tolist()})

# ece
for n, decimals in [(100, 6), (257, 2), (30, 6)]:
    bins = 10
    scores = np.round(rng.uniform(0.0, 1.0, n), decimals)
    labels = (rng.random(n) < scores ** 1.5).astype(int)
    order = np.argsort(scores, kind="stable")
    s, l = scores[order], labels[order]
    b = n // 2 if n <= 2 * bins else bins
    w = n // b
    edges = [k * w for k in range(n // w)] + [n]
    ece = sum((hi - lo) / n * abs(float(np.mean(s[lo:hi])) - float(np.mean(l[lo:hi]))) for lo, hi in zip(edges[:-1], edges[1:]))
    cases["ece"].append({"labels": labels.tolist(), "scores": scores.tolist(), "bins": bins, "expected": float(ece)})

# binary
for n, decimals, calibrate in [
    (500, 6, lambda s: np.clip(0.1 + 0.8 * s ** 1.5, 0.0, 1.0)),
    (120, 2, lambda s: np.clip(0.05 + 0.9 * s ** 2, 0.0, 1.0)),
    (2000, 6, lambda s: np.clip(s ** 0.7, 0.0, 1.0)),
    (64, 6, lambda s: np.clip(0.2 + 0.6 * s, 0.0, 1.0)),
]:
    raw = np.round(rng.uniform(0.0, 1.0, n), decimals)
    calibrated = np.round(calibrate(raw), 6)
    predicted = (raw >= 0.5).astype(int)
    flip = rng.random(n) < 0.05
    predicted[flip] = 1 - predicted[flip]
    cases["binary"].append({
        "calibrated": calibrated.tolist(),
        "raw": raw.tolist(),
        "predicted": predicted.tolist(),
        "expected": {"accuracy": soft_accuracy(calibrated, predicted), "f1": soft_f1(calibrated, predicted), "roc_auc": soft_roc_auc(calibrated, raw)},
    })

# multiclass
for n, gammas in [(300, [0.8, 1.3, 1.0]), (1000, [1.5, 0.6, 1.1])]:
    logits = rng.normal(0.0, 1.5, (n, 3))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    raw = np.round(exp / exp.sum(axis=1, keepdims=True), 6)
    mapped = np.column_stack([raw[:, c] ** gammas[c] for c in range(3)])
    calibrated = np.round(mapped / mapped.sum(axis=1, keepdims=True), 6)
    predicted = np.argmax(raw, axis=1)
    replace = rng.random(n) < 0.05
    predicted[replace] = rng.integers(0, 3, int(np.sum(replace)))
    accuracy = float(np.mean(calibrated[np.arange(n), predicted]))
    f1 = float(np.mean([soft_f1(calibrated[:, c], (predicted == c).astype(int)) for c in range(3)]))
    auc = float(np.mean([soft_roc_auc(calibrated[:, c], raw[:, c]) for c in range(3)]))
    cases["multiclass"].append({
        "calibrated": calibrated.tolist(),
        "raw": raw.tolist(),
        "predicted": predicted.astype(int).tolist(),
        "expected": {"accuracy": accuracy, "f1": f1, "roc_auc": auc},
    })

# sampling
for n, decimals, link, flips in [(400, 6, lambda s: s ** 1.3, False), (1500, 2, lambda s: 0.05 + 0.75 * s, False), (90, 6, lambda s: 0.35 + 0.6 * s, True)]:
    scores = np.round(rng.uniform(0.0, 1.0, n), decimals)
    labels = (rng.random(n) < link(scores)).astype(int)
    predicted = (scores >= 0.5).astype(int)
    flip = rng.random(n) < 0.05
    predicted[flip] = 1 - predicted[flip]
    accuracy_std = float(np.std((labels == predicted).astype(float)))
    tp = (predicted == 1) & (labels == 1)
    fp = (predicted == 1) & (labels == 0)
    fn = (predicted == 0) & (labels == 1)
    relevant = tp | fp | fn
    n_rel = int(np.sum(relevant))
    c = n_rel / (np.sum(tp) + 0.5 * (np.sum(fp) + np.sum(fn)))
    v = np.where(tp[relevant], c, 0.0)
    y, s = labels, scores
    assert (np.mean(y) > 0.5) == flips, (n, np.mean(y))
    if np.mean(y) > 0.5:
        y, s = 1 - y, 1.0 - s
    negatives = np.sort(s[y == 0])
    positives = s[y == 1]
    lower = np.searchsorted(negatives, positives, side="left")
    equal = np.searchsorted(negatives, positives, side="right") - lower
    placements = (lower + 0.5 * equal) / len(negatives)
    cases["sampling"].append({
        "labels": labels.tolist(),
        "scores": scores.tolist(),
        "predicted": predicted.tolist(),
        "expected": {
            "accuracy_std": accuracy_std,
            "f1_std": float(np.std(v)),
            "f1_fraction": n_rel / n,
            "auc_std": float(np.std(placements)),
            "auc_fraction": len(positives) / n,
        },
    })

# regression
for n, scale in [(300, 1.0), (50, 3.0)]:
    actual = np.round(rng.normal(10.0, 4.0, n), 6)
    predicted = np.round(actual + rng.normal(0.5, scale, n), 6)
    error = actual - predicted
    cases["regression"].append({
        "actual": actual.tolist(),
        "predicted": predicted.tolist(),
        "expected": {"mae_std": float(np.std(np.abs(error))), "mse_std": float(np.std(error ** 2)), "mse_mean": float(np.mean(error ** 2))},
    })

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "estimation_fixture.json"), "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")

for name, entries in cases.items():
    print(name, [entry["expected"] for entry in entries] if name not in ("isotonic",) else [len(entry["x"]) for entry in entries])

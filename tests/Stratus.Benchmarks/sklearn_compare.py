"""scikit-learn on the exact train/holdout split Stratus used (written by `Stratus.Benchmarks compare-trainers`).

Prints markdown rows in the same columns as the Stratus rows. Run with Debian's python3-sklearn:
    /usr/bin/python3 tests/Stratus.Benchmarks/sklearn_compare.py <directory with *.train.csv / *.test.csv>
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

directory = sys.argv[1]

binary = {
    "HistGradientBoosting (≈ lightgbm)": lambda: HistGradientBoostingClassifier(random_state=42),
    "GradientBoosting (≈ fasttree)": lambda: GradientBoostingClassifier(random_state=42),
    "SGD log-loss (≈ sdca)": lambda: make_pipeline(MinMaxScaler(), SGDClassifier(loss="log_loss", random_state=42)),
    "LogisticRegression lbfgs (≈ lbfgs)": lambda: make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=1000)),
}
multiclass = {
    "HistGradientBoosting (≈ lightgbm)": binary["HistGradientBoosting (≈ lightgbm)"],
    "SGD log-loss (≈ sdca)": binary["SGD log-loss (≈ sdca)"],
    "LogisticRegression lbfgs (≈ lbfgs)": binary["LogisticRegression lbfgs (≈ lbfgs)"],
}

for name, models in (("breast_cancer", binary), ("iris", multiclass)):
    train = pd.read_csv(f"{directory}/{name}.train.csv")
    test = pd.read_csv(f"{directory}/{name}.test.csv")
    x_train, y_train = train.drop(columns="label").to_numpy(), train["label"].to_numpy()
    x_test, y_test = test.drop(columns="label").to_numpy(), test["label"].to_numpy()
    for label, make in models.items():
        make().fit(x_train, y_train)  # warm-up, as on the Stratus side
        model = make()
        started = time.perf_counter()
        model.fit(x_train, y_train)
        fit_ms = (time.perf_counter() - started) * 1000
        predicted = model.predict(x_test)
        accuracy = accuracy_score(y_test, predicted)
        if name == "breast_cancer":
            probability = model.predict_proba(x_test)[:, 1]
            row = [f"{roc_auc_score(y_test, probability):.4f}", f"{accuracy:.4f}", f"{f1_score(y_test, predicted):.4f}", ""]
        else:
            row = ["", f"{accuracy:.4f}", "", f"{balanced_accuracy_score(y_test, predicted):.4f}"]
        print(f"| {name} | scikit-learn {label} | " + " | ".join(row) + f" | {fit_ms:.0f} |")

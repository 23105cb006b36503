"""The peer side of the Monte Carlo benchmark: the same model in chunked, vectorised numpy.

Model (read from the JSON file the Rust benchmark writes): for each of P projects, a
one-off implementation cost in year 0 (triangular), a recurring saving in years 1..Y
(PERT: Beta(alpha, beta) scaled to [low, high]) and a go-live slippage in years
(triangular) that delays the saving; a fractional delay blends the whole-year shifts.
Discounting uses the same Green Book factors, passed in the file. NPV = sum over projects
of saving * PV(delay) - cost. Prints timings and summary statistics as JSON.
"""

import json
import sys
import time

import numpy as np


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    iterations = spec["iterations"]
    chunk = spec.get("chunk", 20_000)
    df = np.array(spec["discount_factors"])  # years 0..Y
    years = len(df) - 1
    projects = spec["projects"]
    p = len(projects)
    cost = np.array([pr["cost"] for pr in projects])  # (P, 3) low, mode, high
    saving = np.array([pr["saving"] for pr in projects])
    slip = np.array([pr["slippage"] for pr in projects])
    # PV of a saving of 1 a year in years 1..Y, shifted by k whole years (k = 0..Y+1).
    shifts = years + 2
    table = np.zeros((p, shifts + 1))
    for k in range(shifts + 1):
        table[:, k] = df[1 + k:].sum() if 1 + k <= years else 0.0
    s_low, s_mode, s_high = saving[:, 0], saving[:, 1], saving[:, 2]
    s_range = s_high - s_low
    alpha = 1 + 4 * (s_mode - s_low) / s_range
    beta = 1 + 4 * (s_high - s_mode) / s_range
    rng = np.random.default_rng(spec["seed"])
    npv = np.empty(iterations)
    start = time.perf_counter()
    done = 0
    while done < iterations:
        m = min(chunk, iterations - done)
        c = rng.triangular(cost[:, 0], cost[:, 1], cost[:, 2], size=(m, p))
        s = s_low + s_range * rng.beta(alpha, beta, size=(m, p))
        d = rng.triangular(slip[:, 0], slip[:, 1], slip[:, 2], size=(m, p))
        k = np.floor(d).astype(np.int64)
        frac = d - k
        t0 = np.take_along_axis(table, k.T, axis=1).T
        t1 = np.take_along_axis(table, (k + 1).T, axis=1).T
        pv = t0 + frac * (t1 - t0)
        npv[done:done + m] = (s * pv - c).sum(axis=1)
        done += m
    p10, p50, p90 = np.percentile(npv, [10, 50, 90])
    summary = {
        "mean": float(npv.mean()),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "probability_positive": float((npv > 0).mean()),
        "s_curve": [float(x) for x in np.percentile(npv, np.arange(101))],
    }
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "iterations": iterations, **summary}))


if __name__ == "__main__":
    main()

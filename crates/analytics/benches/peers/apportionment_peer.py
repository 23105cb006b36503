"""The peer side of the apportionment benchmark.

Reads cost games written by the Rust benchmark (JSON: {"name", "n", "costs"} with costs
indexed by bit mask, costs[0] = 0), computes the Shapley value with a vectorised numpy
O(n 2^n) implementation and with coopgame-py, and the nucleolus with coopgame-py, and
prints one JSON object with the timings (median of several runs) and the results.
"""

import json
import statistics
import sys
import time

import numpy as np

try:
    import coopgame
except ImportError:  # reported, not fatal: numpy still runs
    coopgame = None


def median_time(f, runs):
    f()  # warm-up
    times = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def numpy_shapley(costs, n):
    """phi_i = sum over S without i of w(|S|) (c(S + i) - c(S)), vectorised per player."""
    masks = np.arange(1 << n, dtype=np.int64)
    sizes = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        sizes += (masks >> i) & 1
    fact = [1.0]
    for k in range(1, n + 1):
        fact.append(fact[-1] * k)
    w = np.array([fact[k] * fact[n - k - 1] / fact[n] for k in range(n)])
    phi = np.empty(n)
    for i in range(n):
        without = masks[((masks >> i) & 1) == 0]
        phi[i] = np.dot(w[sizes[without]], costs[without | (1 << i)] - costs[without])
    return phi


def main():
    out = {"coopgame": coopgame is not None, "games": []}
    for path in sys.argv[1:]:
        with open(path) as f:
            spec = json.load(f)
        n = spec["n"]
        costs = np.array(spec["costs"], dtype=float)
        entry = {"name": spec["name"], "n": n}
        runs = 5 if n >= 18 else 10
        if spec.get("shapley"):
            entry["numpy_shapley_seconds"], phi = median_time(lambda: numpy_shapley(costs, n), runs)
            entry["numpy_shapley"] = list(phi)
            if coopgame is not None:
                game = coopgame.Game(list(costs[1:]))
                entry["coopgame_shapley_seconds"], phi = median_time(lambda: coopgame.shapley(game), runs)
                entry["coopgame_shapley"] = list(phi)
        if spec.get("nucleolus") and coopgame is not None:
            game = coopgame.Game(list(costs[1:]))
            try:
                entry["coopgame_nucleolus_seconds"], x = median_time(lambda: coopgame.cost_nucleolus(game), runs)
                entry["coopgame_nucleolus"] = list(x)
            except Exception as e:  # coopgame-py fails on some empty-core games
                entry["coopgame_nucleolus_error"] = str(e)
                # With no imputation, compare prenucleoli: the savings game's prenucleolus y
                # gives the cost split x_i = c({i}) - y_i.
                standalone = np.array([costs[1 << i] for i in range(n)])
                savings = [float(sum(standalone[i] for i in range(n) if m & (1 << i)) - costs[m]) for m in range(1, 1 << n)]
                sgame = coopgame.Game(savings)
                try:
                    entry["coopgame_prenucleolus_seconds"], r = median_time(lambda: coopgame.prenucleolus(sgame), runs)
                    entry["coopgame_prenucleolus"] = list(standalone - np.array(r["allocation"]))
                except Exception as e2:
                    entry["coopgame_prenucleolus_error"] = str(e2)
        out["games"].append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

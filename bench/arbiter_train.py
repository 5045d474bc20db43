"""Experiment (issue 13, item 1): would a small learned model stacked on the replacement rules raise their recall
without costing precision? Result: no (see ``bench/results/arbiter.md``); nothing of it ships.

The model reads only pairs the rules (``judge.supersede.judge``) call "no" between two saved notes, and may turn a
"no" into a replacement past a threshold: a logistic regression (numpy, Newton steps, L2) over
``bench.arbiter_features.features`` (the rules' verdict and reason, cue words, MiniLM cosine, word and value
overlaps). scikit-learn is not in the venv, so the model is written here in numpy; it is deterministic (no sampling).

Two evaluations, never touching the held-out files:

1. Leave-one-batch-out over ``supersede_tune`` + ``supersede_fresh2..21`` (each file one batch) with today's rules:
   train on the other batches, choose the flip threshold by an inner leave-one-batch-out over those, judge the held-out
   batch; pooled and fresh16-21 (the independently written batches) against the rules alone on the same pairs. Today's
   rules were tuned on every one of these batches, so the "no"s left for the model are the hardest residue.
2. First sight: fresh16-18 judged by the rules of commit d6ce3ff and fresh19-21 by those of 5b4daf0 (the judges that
   first measured them, before any rule was tuned for them; ``git archive`` into ``bench/.work``), which is how the
   rules meet new phrasing. (A) the model trained on tune + fresh2..15 (today's rules), applied to fresh16-21;
   (B) leave-one-batch-out within fresh16-21 (first-sight verdicts) plus tune + fresh2..15.

Each evaluation is run with and without the gate (``arbiter_features.asked``: no question, plan, addition, one-off
cue in the new memory, no past fact in the old one). Run: ``python -m bench.arbiter_train`` (about 2 minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from jean_memory.judge._subjects import first_person
from jean_memory.judge.supersede import _notes, judge

from . import arbiter_features
from .common import WORK, write
from .supersede import FRESH, TUNE, Confusion, load, similarities

L2 = 10.0
GRID = tuple(round(0.5 + 0.025 * i, 3) for i in range(20))   # candidate flip thresholds, 0.5 .. 0.975
FLIP_PRECISION = 0.95   # on the training batches' out-of-fold answers, the flips must be right this often
LATE = tuple(f"fresh{i}" for i in range(16, 22))   # written by helpers who never saw the judge
FIRST_SIGHT = {"d6ce3ff": LATE[:3], "5b4daf0": LATE[3:]}   # the judge that first measured each batch


@dataclass
class Pair:
    batch: str
    label: bool
    rules: bool          # the rules' verdict
    eligible: bool       # the model is asked (a "no" between two notes, and the gate when on)
    x: np.ndarray


@dataclass
class Counts(Confusion):
    """``bench.supersede``'s confusion counts, which one pass adds to and passes add up."""

    def add(self, said: bool, label: bool) -> None:
        if said and label:
            self.tp += 1
        elif said:
            self.fp += 1
        elif label:
            self.fn += 1
        else:
            self.tn += 1

    def __iadd__(self, other: Counts) -> Counts:
        self.tp, self.fp, self.fn, self.tn = (self.tp + other.tp, self.fp + other.fp, self.fn + other.fn,
                                              self.tn + other.tn)
        return self

    def row(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4)}


def batches() -> dict[str, list[dict[str, Any]]]:
    return {"tune": load(TUNE), **{p.stem.removeprefix("supersede_"): load(p) for p in FRESH}}


Verdict = tuple[bool, str, str, bool, float]   # replaces, rule, reason, doubtful, confidence


def pair(batch: str, row: dict[str, Any], sim: float, verdict: Verdict, gate: bool) -> Pair:
    replaces, rule, reason, doubtful, confidence = verdict
    new, old = first_person(row["new"]), first_person(row["old"])
    eligible = not replaces and _notes(row["new"]) and _notes(row["old"]) and (
        not gate or arbiter_features.asked(new, old))
    return Pair(batch, bool(row["replaces"]), replaces, eligible,
                arbiter_features.features(new, old, sim, rule, reason, doubtful, confidence))


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, bias) of an L2 logistic regression on standardised features (Newton's method)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


Model = tuple[np.ndarray, np.ndarray, np.ndarray, float]


def trained(data: list[Pair]) -> Model:
    asked = [p for p in data if p.eligible]
    return fit(np.array([p.x for p in asked]), np.array([p.label for p in asked], dtype=np.float64))


def predict(model: Model, x: np.ndarray) -> np.ndarray:
    mean, scale, w, b = model
    return np.asarray(1 / (1 + np.exp(-(((x - mean) / scale) @ w + b))))


def out_of_fold(data: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-batch-out probabilities of the asked pairs (labels, probabilities)."""
    labels: list[bool] = []
    probs: list[float] = []
    for held in sorted({p.batch for p in data}):
        test = [p for p in data if p.eligible and p.batch == held]
        if test:
            probs += list(predict(trained([p for p in data if p.batch != held]), np.array([p.x for p in test])))
            labels += [p.label for p in test]
    return np.array(labels, dtype=bool), np.array(probs)


def threshold(labels: np.ndarray, probs: np.ndarray, grid: tuple[float, ...] = GRID, inclusive: bool = False,
              precision: float = FLIP_PRECISION, wrong_per: int | None = 500) -> float:
    """The lowest ``grid`` threshold down to which every threshold's flips (``probs`` above it; at or above it when
    ``inclusive``) are right at least ``precision`` of the time and wrong at most once per ``wrong_per`` pairs asked
    (no such bound when None); 1.0 (never flip) when even the highest is not."""
    chosen = 1.0
    for t in sorted(grid, reverse=True):
        flipped = probs >= t if inclusive else probs > t
        right, wrong = int((flipped & labels).sum()), int((flipped & ~labels).sum())
        too_many = wrong_per is not None and wrong > len(labels) / wrong_per
        if right + wrong and (right / (right + wrong) < precision or too_many):
            break
        chosen = t
    return chosen


@dataclass
class Tally:
    rules: Counts = field(default_factory=Counts)
    stacked: Counts = field(default_factory=Counts)
    thresholds: list[float] = field(default_factory=list)
    ranked: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, rules: Counts, stacked: Counts, threshold: float, ranked: list[tuple[float, bool]]) -> None:
        self.rules += rules
        self.stacked += stacked
        self.thresholds.append(threshold)
        self.ranked += ranked


def judged(train: list[Pair], test: list[Pair]) -> tuple[Counts, Counts, float, list[tuple[float, bool]]]:
    """Rules alone and stacked on ``test``, the model and its threshold from ``train`` only."""
    t = threshold(*out_of_fold(train))
    model = trained(train)
    rules, stacked, ranked = Counts(), Counts(), list[tuple[float, bool]]()
    for p in test:
        prob = float(predict(model, p.x[None, :])[0]) if p.eligible else 0.0
        rules.add(p.rules, p.label)
        stacked.add(p.rules or prob > t, p.label)
        if p.eligible:
            ranked.append((prob, p.label))
    return rules, stacked, t, ranked


def ranking(ranked: list[tuple[float, bool]]) -> dict[str, Any]:
    """How well the model orders the asked pairs: AUC and how many of its top k are replacements."""
    ranked = sorted(ranked, key=lambda pl: -pl[0])
    labels = np.array([lab for _, lab in ranked], dtype=bool)
    pos, neg = int(labels.sum()), int((~labels).sum())
    ranks = np.argsort(np.argsort([-pr for pr, _ in ranked]))   # 0 = highest
    auc = float(((neg - (ranks[labels] - np.arange(pos))).sum()) / (pos * neg)) if pos and neg else 0.0
    return {"asked": len(ranked), "replacing": pos, "auc": round(auc, 3),
            **{f"top{k}": int(labels[:k].sum()) for k in (10, 20, 40)}}


def first_sight_verdicts(rows: dict[str, list[dict[str, Any]]],
                         sims: dict[str, list[float]]) -> dict[str, list[Verdict]]:
    """fresh16-21 judged by the rules that first measured them (each commit's src in bench/.work/arbiter)."""
    out: dict[str, list[Verdict]] = {}
    for commit, names in FIRST_SIGHT.items():
        root = WORK / "arbiter" / commit
        if not (root / "src").exists():
            root.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(["git", "archive", commit, "src"], check=True, capture_output=True,
                                     cwd=Path(__file__).resolve().parent.parent).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        job = {name: [[r["new"], r["old"], s] for r, s in zip(rows[name], sims[name], strict=True)] for name in names}
        script = ("import json, sys\nfrom jean_memory.judge.supersede import judge\njob = json.load(sys.stdin)\n"
                  "print(json.dumps({b: [[(j := judge(n, o, similarity=s)).replaces, getattr(j, 'rule', ''), "
                  "j.reason, j.doubtful, j.confidence] for n, o, s in pairs] for b, pairs in job.items()}))")
        done = subprocess.run([sys.executable, "-c", script], input=json.dumps(job), capture_output=True, text=True,
                              check=True, env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"})
        out.update({b: [(v[0], v[1], v[2], v[3], v[4]) for v in verdicts]
                    for b, verdicts in json.loads(done.stdout).items()})
    return out


def verdict(results: dict[str, Any]) -> str:
    """The conclusion, from the numbers above (so that a rerun cannot leave it stale)."""
    gains = [v["stacked"]["recall"] - v["rules"]["recall"] for v in results.values()]
    changes = [v["stacked"]["precision"] - v["rules"]["precision"] for v in results.values()]
    aucs = [v["ranking"]["auc"] for v in results.values()]
    tops = [v["ranking"]["top20"] for v in results.values()]
    met = [k for k, v in results.items() if v["stacked"]["precision"] >= v["rules"]["precision"]
           and v["stacked"]["recall"] > v["rules"]["recall"]]
    pooled = "" if any(k.startswith("LOBO, today's rules, tune") for k in met) else \
        ", and not on the pooled tune + fresh2-21 set"
    return (f"**Not shipped.** The bar (precision not below the rules', recall higher) is met in {len(met)} of "
            f"{len(results)} evaluations ({'; '.join(met) or 'none'}), never by more than {max(gains) * 100:.1f} "
            f"points of recall{pooled}. "
            f"Recall gained by stacking: {min(gains) * 100:+.1f} to {max(gains) * 100:+.1f} points; precision "
            f"{min(changes) * 100:+.1f} to {max(changes) * 100:+.1f} points. The model's ordering of the rules' "
            f"\"no\"s is real (AUC {min(aucs):.2f}-{max(aucs):.2f}), but only {min(tops)}-{max(tops)} of its 20 "
            "most confident flips are replacements, so the thresholds that keep its flips right 95% of the time on "
            "the training batches let almost nothing through on the held-out batch.\n")


def main() -> int:
    rows = batches()
    sims = {name: [round(s, 4) for s in similarities(r)] for name, r in rows.items()}
    today: dict[str, list[Verdict]] = {name: [(j.replaces, j.rule, j.reason, j.doubtful, j.confidence) for j in
                    (judge(r["new"], r["old"], similarity=s) for r, s in zip(rs, sims[name], strict=True))]
             for name, rs in rows.items()}
    first = first_sight_verdicts(rows, sims)
    results: dict[str, Any] = {}
    lines = ["| evaluation | gate | pairs | rules P / R (TP/FP/FN) | stacked P / R (TP/FP/FN) | thresholds | "
             "model's ranking of the asked pairs: AUC, replacements among its top 10 / 20 / 40 |",
             "|---|---|---|---|---|---|---|"]
    for gate in (False, True):
        data = [pair(name, r, s, v, gate) for name, rs in rows.items()
                for r, s, v in zip(rs, sims[name], today[name], strict=True)]
        early = [p for p in data if p.batch not in LATE]
        late = [pair(name, r, s, v, gate) for name in LATE
                for r, s, v in zip(rows[name], sims[name], first[name], strict=True)]
        evaluations = {"LOBO, today's rules, tune + fresh2-21": Tally(), "LOBO, today's rules, fresh16-21": Tally(),
                       "first sight fresh16-21, trained on tune + fresh2-15 (A)": Tally(),
                       "first sight fresh16-21, LOBO within them (B)": Tally()}
        tallies = list(evaluations.values())
        for held in sorted({p.batch for p in data}):
            outcome = judged([p for p in data if p.batch != held], [p for p in data if p.batch == held])
            tallies[0].add(*outcome)
            if held in LATE:
                tallies[1].add(*outcome)
        tallies[2].add(*judged(early, late))
        for held in LATE:
            tallies[3].add(*judged(early + [p for p in late if p.batch != held], [p for p in late if p.batch == held]))
        for name, tally in evaluations.items():
            r, st = tally.rules, tally.stacked
            rr, sr, rk, ts = r.row(), st.row(), ranking(tally.ranked), tally.thresholds
            results[f"{name}, gate {'on' if gate else 'off'}"] = {"rules": rr, "stacked": sr, "thresholds": ts,
                                                                  "ranking": rk}
            lines.append(f"| {name} | {'on' if gate else 'off'} | {r.tp + r.fp + r.fn + r.tn} | "
                         f"{rr['precision']:.3f} / {rr['recall']:.3f} ({r.tp}/{r.fp}/{r.fn}) | "
                         f"{sr['precision']:.3f} / {sr['recall']:.3f} ({st.tp}/{st.fp}/{st.fn}) | "
                         f"{min(ts)}-{max(ts)} | {rk['auc']:.3f}; {rk['top10']} / {rk['top20']} / {rk['top40']} "
                         f"of {rk['asked']} asked ({rk['replacing']} replacing) |")
    model = trained([pair(name, row, s, v, True) for name, rs in rows.items()
                     for row, s, v in zip(rs, sims[name], today[name], strict=True)])
    begin = time.perf_counter()
    for name, rs in rows.items():
        for row, s, v in zip(rs, sims[name], today[name], strict=True):
            predict(model, pair(name, row, s, v, True).x[None, :])
    us = (time.perf_counter() - begin) / sum(len(rs) for rs in rows.values()) * 1e6
    md = ("Experiment: a logistic regression (numpy, L2 "
          f"{L2}, {len(arbiter_features.NAMES)} features: `bench/arbiter_features.py`) stacked on the replacement "
          "rules, asked only about pairs the rules call \"no\" between two saved notes; it turns a \"no\" into a "
          "replacement past a threshold chosen by an inner leave-one-batch-out on the training batches (lowest "
          f"threshold whose out-of-fold flips are right ≥ {FLIP_PRECISION:.0%} of the time). Held-out files never "
          "read. LOBO: leave one batch (file) out over tune + fresh2..21 with today's rules, which were tuned on "
          "all of them. First sight: fresh16-18 judged by the rules of d6ce3ff and fresh19-21 by those of 5b4daf0 "
          "(before any rule was tuned for them). Gate on: the model is not asked when the new memory has a question, "
          "plan, addition, part-time or one-off cue, or the old one is a past fact.\n\n" + "\n".join(lines)
          + f"\n\nFeatures and model: {us:.0f} µs a pair (Python, one core; the rules' own time not included).\n\n"
          + verdict(results))
    write("arbiter", {"evaluations": results, "us_per_pair": round(us, 1), "l2": L2,
                      "flip_precision": FLIP_PRECISION, "features": list(arbiter_features.NAMES)},
          md, "python -m bench.arbiter_train")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 13's replacement judgment (``judge.supersede.judge``), local rules alone: precision, recall and F1 on the
labelled pairs, and its speed.

Each pair is judged as the service judges it: with ``similarity``, the cosine of the two memories' MiniLM embeddings
(the service has it from the dense side of its candidate search), which lets the generic rule run. The text-only
numbers (``similarity=None``) are reported beside them.

Sets: ``tests/memory/data/supersede_tune.jsonl`` (the rules were written against it) and, when present,
``tests/memory/data/supersede_heldout.jsonl``, ``supersede_heldout2.jsonl`` and ``supersede_heldout3.jsonl`` (each
written apart by a helper who never saw the judge, never tuned on; counted, their wrong answers never listed).
Each line: ``{"old", "new", "replaces", "note"}``. Exits 1 when a held-out set misses precision 0.98 or recall
0.85, or the tune set misses 0.98 / 0.90. Run: ``python -m bench.supersede``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.judge import decide
from jean_memory.judge._claims import read
from jean_memory.judge.supersede import Judgment, judge

from .common import write

DATA = Path(__file__).resolve().parent.parent / "tests" / "memory" / "data"
TUNE = DATA / "supersede_tune.jsonl"
HELDOUT = DATA / "supersede_heldout.jsonl"
# Held-out sets in the order they were written: "held-out", "held-out 2", "held-out 3" (each by another helper).
HELDOUTS = {("held-out" if n == 1 else f"held-out {n}"): DATA / f"supersede_heldout{'' if n == 1 else n}.jsonl"
            for n in range(1, 4)}
# Fresh pairs written by the judge's authors in batches, each measured before the rules were changed for it, then
# tuned on: a second tune set in other phrasings (the generic rule's).
FRESH = sorted(DATA.glob("supersede_fresh*.jsonl"))
THRESHOLDS = {"tune": (0.98, 0.90), "fresh": (0.98, 0.80), **{name: (0.98, 0.85) for name in HELDOUTS}}


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    wrong: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, list[int]] = field(default_factory=dict)  # rule -> [right, wrong] replacements it made

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def load(*paths: Path) -> list[dict[str, Any]]:
    """The labelled pairs of one or more files, in order."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for i, line in enumerate(lines, 1):
            row = json.loads(line)
            if not isinstance(row.get("old"), str) or not isinstance(row.get("new"), str) \
                    or not isinstance(row.get("replaces"), bool):
                raise ValueError(f"{path.name} line {i}: needs string 'old', string 'new' and boolean 'replaces'")
            rows.append(row)
    return rows


def similarities(rows: list[dict[str, Any]]) -> list[float]:
    """The cosine of each pair's two texts under the service's embedder (MiniLM, L2-normalised rows)."""
    texts = sorted({t for row in rows for t in (row["old"], row["new"])})
    vectors = np.asarray(MiniLMEmbedder.shared().embed_sync(texts), dtype=np.float32)
    index = {t: i for i, t in enumerate(texts)}
    return [float(vectors[index[row["old"]]] @ vectors[index[row["new"]]]) for row in rows]


def confusion(rows: list[dict[str, Any]], sims: list[float] | None = None) -> Confusion:
    """Judged with each pair's similarity when ``sims`` is given, on the texts alone when not."""
    c = Confusion()
    for i, row in enumerate(rows):
        j = judge(row["new"], row["old"], similarity=sims[i] if sims is not None else None)
        if j.replaces:
            c.rules.setdefault(rule_name(j), [0, 0])[0 if row["replaces"] else 1] += 1
        if j.replaces and row["replaces"]:
            c.tp += 1
        elif j.replaces:
            c.fp += 1
        elif row["replaces"]:
            c.fn += 1
        else:
            c.tn += 1
        if j.replaces != row["replaces"]:
            c.wrong.append({**row, "reason": j.reason, "confidence": j.confidence})
    return c


def outcomes(rows: list[dict[str, Any]], sims: list[float]) -> dict[str, int]:
    """Issue 19's outcomes of ``judge.decide`` on each pair: hides (replace) and flags, right or wrong, and the
    changes neither caught."""
    out = {"hide_right": 0, "hide_wrong": 0, "flag_right": 0, "flag_wrong": 0, "missed": 0, "changes": 0}
    for row, sim in zip(rows, sims, strict=True):
        v = decide(row["new"], row["old"], sim)
        out["changes"] += bool(row["replaces"])
        if v.outcome == "none":
            out["missed"] += bool(row["replaces"])
        else:
            out[f"{'hide' if v.outcome == 'replace' else 'flag'}_{'right' if row['replaces'] else 'wrong'}"] += 1
    return out


def rule_name(j: Judgment) -> str:
    """The rule a replacement came from, split by whether a change cue was said ("facts, no cue")."""
    return f"{j.rule}, no cue" if j.doubtful and j.rule in {"facts", "events"} else j.rule


def evaluate(path: Path, with_similarity: bool = True) -> tuple[float, float, int]:
    """(precision, recall, number of pairs) of the local judgment on one labelled file."""
    rows = load(path)
    c = confusion(rows, similarities(rows) if with_similarity else None)
    return c.precision, c.recall, c.n


def microseconds_per_pair(rows: list[dict[str, Any]], passes: int = 5, sims: list[float] | None = None) -> float:
    """The best of ``passes`` timed passes over every pair (the others share the machine), with ``read``'s cache
    emptied before every pair so that both texts are read afresh (the service's repeated texts would be faster)."""
    best = float("inf")
    for _ in range(passes):
        elapsed = 0.0
        for i, row in enumerate(rows):
            read.cache_clear()
            similarity = sims[i] if sims is not None else None
            start = time.perf_counter()
            judge(row["new"], row["old"], similarity=similarity)
            elapsed += time.perf_counter() - start
        best = min(best, elapsed)
    return best / len(rows) * 1e6


def main() -> int:
    sets: dict[str, list[Path]] = {"tune": [TUNE], **({"fresh": FRESH} if FRESH else {}),
                                   **{name: [path] for name, path in HELDOUTS.items() if path.exists()}}
    data: dict[str, Any] = {}
    lines = ["| set | pairs | replaces | TP | FP | FN | TN | precision | recall | F1 | µs/pair | old target |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    decided = ["| set | pairs | changes | hidden: right / wrong | flagged: right / wrong | caught (hidden or flagged) |"
               " hide precision |", "|---|---|---|---|---|---|---|"]
    errors, failed = [], []
    rule_lines = ["| set | rule | replacements | right | wrong | precision |", "|---|---|---|---|---|---|"]
    text_lines = ["| set | precision | recall |", "|---|---|---|"]
    for name, paths in sets.items():
        rows = load(*paths)
        sims = similarities(rows)
        c, us, text = confusion(rows, sims), microseconds_per_pair(rows, sims=sims), confusion(rows)
        p_min, r_min = THRESHOLDS[name]
        ok = c.precision >= p_min and c.recall >= r_min
        failed += [] if ok else [name]  # reported only: issue 19 withdrew this target (a judgment no longer hides)
        data[name] = {"file": ", ".join(str(p.relative_to(DATA.parent.parent.parent)) for p in paths), "pairs": c.n,
                      "replaces": c.tp + c.fn, "tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn,
                      "precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4),
                      "us_per_pair": round(us, 1), "text_only": {
                          "tp": text.tp, "fp": text.fp, "fn": text.fn, "tn": text.tn,
                          "precision": round(text.precision, 4), "recall": round(text.recall, 4)}}
        text_lines.append(f"| {name} | {text.precision:.3f} | {text.recall:.3f} |")
        o = outcomes(rows, sims)
        data[name]["outcomes"] = o
        hides = o["hide_right"] + o["hide_wrong"]
        decided.append(f"| {name} | {c.n} | {o['changes']} | {o['hide_right']} / {o['hide_wrong']} | "
                       f"{o['flag_right']} / {o['flag_wrong']} | "
                       f"{(o['hide_right'] + o['flag_right']) / max(1, o['changes']):.3f} | "
                       f"{o['hide_right'] / hides if hides else 1.0:.3f} |")
        lines.append(f"| {name} | {c.n} | {c.tp + c.fn} | {c.tp} | {c.fp} | {c.fn} | {c.tn} | {c.precision:.3f} | "
                     f"{c.recall:.3f} | {c.f1:.3f} | {us:.0f} | P ≥ {p_min}, R ≥ {r_min}: "
                     f"{'met' if ok else 'MISSED'} |")
        if name.startswith("held-out"):
            continue  # its wrong answers stay unlisted: whoever tunes the rules next must not see them
        data[name]["wrong"] = c.wrong
        data[name]["rules"] = {rule: {"right": r, "wrong": w} for rule, (r, w) in sorted(c.rules.items())}
        rule_lines += [f"| {name} | {rule} | {r + w} | {r} | {w} | {r / (r + w):.3f} |"
                       for rule, (r, w) in sorted(c.rules.items())]
        errors += [f"- {name}, {'false replacement' if w['replaces'] is False else 'missed'}: "
                   f"\"{w['old']}\" → \"{w['new']}\" ({w.get('note', '')}; judge: {w['reason']})" for w in c.wrong]
    if "held-out" not in sets:
        lines.append(f"\nNo held-out file at `{HELDOUT.name}`: only the tune set was measured.")
    md = ("Local judgment alone (no LLM): `jean_memory.judge.supersede.judge(new, old, similarity=cos)` on every "
          "labelled pair, `cos` the cosine of the two texts' MiniLM embeddings (as the service has it from its "
          "candidate search). µs/pair: best of 5 passes over the set, one core, both texts read afresh for every "
          "pair (embedding time not included). The old target (P 0.98 / R 0.85 for a judgment that hides) was "
          "withdrawn by issue 19: only certain verdicts hide now, doubtful ones flag (`judge.decide`, second "
          "table); the outcome that counts is measured per add on timelines (`timelines.md`).\n\n" + "\n".join(lines)
          + "\n\nIssue 19's outcomes (`jean_memory.judge.decide(new, old, cos)`) on the same pairs:\n\n"
          + "\n".join(decided) + "\n\nThe texts alone (`similarity=None`, "
          "specific rules only):\n\n" + "\n".join(text_lines) + "\n\nReplacements by the rule that made them (tune "
          "and fresh only; the held-out sets are never broken down):\n\n" + "\n".join(rule_lines)
          + "\n\nWrong answers on the tune set (the held-out "
          "set's are counted, never listed, so that they cannot leak into tuning):\n\n"
          + ("\n".join(errors) or "none") + "\n")
    write("supersede", data, md, "python -m bench.supersede")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

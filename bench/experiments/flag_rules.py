"""Issue 19: ``judge.decide``'s flags on the labelled pair sets (``tests/memory/data``), right and wrong, by rule,
for the tune/fresh sets and the held-out sets apart. ``-v`` lists the wrong flags and missed changes of the
tune/fresh sets only (the held-out sets are counted, never listed). Cosines are cached in ``bench/.work``."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
from bench.supersede import DATA, load, similarities

from jean_memory.judge import decide

CACHE = Path(__file__).resolve().parents[1] / ".work" / "pair-cosines.npz"


def cosines(rows: list[dict[str, object]]) -> list[float]:
    key = np.array([f"{r['old']}\x00{r['new']}" for r in rows])
    if CACHE.exists():
        got = np.load(CACHE)
        if got["key"].shape == key.shape and (got["key"] == key).all():
            return [float(x) for x in got["sim"]]
    sims = similarities(rows)  # type: ignore[arg-type]
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE, key=key, sim=np.array(sims))
    return sims


def main() -> None:
    files = sorted(DATA.glob("supersede_*.jsonl"))
    rows, group = [], []
    for f in files:
        got = load(f)
        rows += got
        group += ["held" if "heldout" in f.name else "tune"] * len(got)
    sims = cosines(rows)
    counts: Counter[tuple[str, str, str]] = Counter()
    show = "-v" in sys.argv
    for row, sim, g in zip(rows, sims, group, strict=True):
        v = decide(row["new"], row["old"], sim)
        truth = bool(row["replaces"])
        if v.outcome == "none":
            counts[(g, "missed" if truth else "none", "")] += 1
            if truth and show and g == "tune" and "-m" in sys.argv:
                print(f"MISS {sim:.2f} {row['new']!r} -> {row['old']!r}")
            continue
        counts[(g, f"{v.outcome}_{'right' if truth else 'wrong'}", v.rule)] += 1
        if show and g == "tune" and (not truth or "-r" in sys.argv):
            print(f"{'RIGHT' if truth else 'WRONG'} {v.outcome} [{v.rule}] {sim:.2f} {row['new']!r} -> "
                  f"{row['old']!r} ({v.reason})")
    for g in ("tune", "held", "all"):
        def n(kind: str, rule: str | None = None, g: str = g) -> int:
            return sum(c for (gg, k, r), c in counts.items()
                       if (g == "all" or gg == g) and k == kind and (rule is None or r == rule))
        rules = sorted({r for (_, k, r) in counts if r})
        by = ", ".join(f"{r} {n('flag_right', r)}/{n('flag_wrong', r)}" for r in rules
                       if n('flag_right', r) + n('flag_wrong', r))
        changes = n("hide_right") + n("flag_right") + n("missed")
        print(f"{g}: flags right/wrong {n('flag_right')}/{n('flag_wrong')}; hides right/wrong "
              f"{n('hide_right')}/{n('hide_wrong')}; caught {n('hide_right') + n('flag_right')}/{changes}; "
              f"by rule (right/wrong): {by}")


if __name__ == "__main__":
    main()

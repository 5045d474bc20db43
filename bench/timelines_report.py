"""``bench.timelines``' result files: one table per timeline and set, the held-out targets, and (tuning only) the
rule behind each hide and flag and every wrong answer in words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .common import write
from .timelines import LIMIT, TARGETS, TOP, Counts, met
from .timelines_data import Timeline


def _row(name: str, group: str, c: Counts) -> str:
    s = c.summary()
    return (f"| {name} | {group} | {s['adds']} | {s['wrong_hides']} ({s['wrong_hides_per_200']:.1f}) "
            f"| {c.caught_hidden} + {c.caught_flagged} of {c.changes} ({s['caught']:.0%}) "
            f"| {c.current_first} of {c.questions} ({s['current_first']:.0%}) | {s['above_stale']:.0%} "
            f"| {s['rank_one']:.0%} | {s['wrong_flags']} ({s['wrong_flags_per_100']:.1f}) | {s['add_p50_ms']} |")


def sets(timelines: Sequence[Timeline], counts: Mapping[str, Counts]) -> dict[str, Counts]:
    """The tuning, held-out and all timelines pooled."""
    pooled = {"tuning": Counts(), "held-out": Counts(), "all": Counts()}
    for t in timelines:
        pooled["held-out" if t.held_out else "tuning"] += counts[t.name]
        pooled["all"] += counts[t.name]
    return pooled


_HEAD = ["| timeline | set | adds | wrong hides (per 200 adds) | changes caught: hidden + flagged | current value "
         f"first (top {TOP}) | above stale | rank 1 | wrong flags (per 100 adds) | add p50 ms |",
         "|---|---|---|---|---|---|---|---|---|---|"]


def _tuning_tables(tuning: Counts) -> str:
    """The rule behind each hide and flag, the kinds of wrong adds, and every wrong answer in words."""
    rules = [f"| {rule} | {r} | {w} |" for rule, (r, w) in sorted(tuning.rules.items())]
    kinds = [f"| {kind} | {h} | {f} |" for kind, (h, f) in sorted(tuning.kinds.items())]
    return ("Hides and flags on the tuning timelines by the judgment's rule (`supersede.judge` asked again with the "
            "pair's cosine):\n\n| outcome: rule | right | wrong |\n|---|---|---|\n"
            + ("\n".join(rules) or "| none | | |")
            + "\n\nWrong hides and flags on the tuning timelines by the kind of the new add:\n\n| kind | wrong hides | "
            "wrong flags |\n|---|---|---|\n" + ("\n".join(kinds) or "| none | | |")
            + "\n\nWrong answers on the tuning timelines:\n\n" + ("\n".join(f"- {e}" for e in tuning.events) or "none")
            + "\n")


def tuning_report(timelines: Sequence[Timeline], counts: Mapping[str, Counts]) -> str:
    """The tuning timelines' table, rules and wrong answers (``--tuning-only``); held-out ones are left out."""
    tuning = [t for t in timelines if not t.held_out]
    pooled = sets(tuning, counts)["tuning"]
    lines = [*_HEAD, *(_row(t.name, "tuning", counts[t.name]) for t in tuning), _row("**tuning**", "tuning", pooled)]
    return "\n".join(lines) + "\n\n" + _tuning_tables(pooled)


def report(timelines: Sequence[Timeline], counts: Mapping[str, Counts]) -> int:
    pooled = sets(timelines, counts)
    lines = list(_HEAD)
    lines += [_row(t.name, "held-out" if t.held_out else "tuning", counts[t.name]) for t in timelines]
    lines += [_row(f"**{name}**", name, c) for name, c in pooled.items()]
    held = pooled["held-out"].summary()
    goals = [("wrong hides per 200 adds", held["wrong_hides_per_200"], f"≤ {TARGETS['wrong_hides_per_200']}",
              held["wrong_hides_per_200"] <= TARGETS["wrong_hides_per_200"]),
             ("real changes replaced or flagged", held["caught"], f"≥ {TARGETS['caught']}",
              held["caught"] >= TARGETS["caught"]),
             ("current value first", held["current_first"], f"≥ {TARGETS['current_first']}",
              held["current_first"] >= TARGETS["current_first"]),
             ("wrong flags per 100 adds", held["wrong_flags_per_100"], f"≤ {TARGETS['wrong_flags_per_100']}",
              held["wrong_flags_per_100"] <= TARGETS["wrong_flags_per_100"])]
    tuning = pooled["tuning"]
    md = (f"Each timeline of `bench/data/timelines/` replayed through `MemoryService.add` (real SQLite file, MiniLM), "
          "one add at a time about a day apart, then each question asked through `MemoryService.search` "
          f"(limit {LIMIT}). Wrong hide: a memory the add replaced that the labels do not say is outdated (in brackets "
          "per 200 adds). Caught: a labelled change whose old memory the add replaced or flagged. Current value first: "
          f"a memory holding the current value ranks above every stale one and in the top {TOP}; above stale: above "
          "every stale one at any rank; rank 1: first. Wrong flag: as a wrong hide, for flags (per 100 adds). "
          "Held-out timelines were written last and are never tuned on; their wrong answers are never listed.\n\n"
          + "\n".join(lines) + "\n\nIssue 19's targets, on the held-out timelines:\n\n"
          "| measure | held-out | target | |\n|---|---|---|---|\n"
          + "\n".join(f"| {n} | {v} | {t} | {'met' if ok else 'MISSED'} |" for n, v, t, ok in goals)
          + f"\n\nWrong hides that hid a restatement of the new memory's own value: tuning "
          f"{tuning.wrong_hides_restated}, held-out {pooled['held-out'].wrong_hides_restated}.\n\n"
          + _tuning_tables(tuning))
    data: dict[str, Any] = {
        "targets": TARGETS, "held_out_met": met(held),
        "timelines": {t.name: {"held_out": t.held_out, **counts[t.name].summary()} for t in timelines},
        "sets": {name: c.summary() for name, c in pooled.items()},
        "tuning": {"rules": {k: {"right": r, "wrong": w} for k, (r, w) in sorted(tuning.rules.items())},
                   "kinds": {k: {"wrong_hides": h, "wrong_flags": f} for k, (h, f) in sorted(tuning.kinds.items())},
                   "wrong": tuning.events}}
    write("timelines", data, md, "python -m bench.timelines")
    return 0 if met(held) else 1

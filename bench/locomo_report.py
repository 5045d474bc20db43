"""Markdown summary of a LoCoMo run."""

from __future__ import annotations

from typing import Any


def markdown(data: dict[str, Any]) -> str:
    info = data["dataset"]
    results = data["results"]
    lines = [
        f"LoCoMo dev split: {info['conversations']} conversations, {info['turns']} turns stored as memories "
        f"({info['deduped_turns']} folded into an earlier memory by dedup, {info.get('replaced_turns', 0)} replaced "
        f"by a later turn and so left out of search), {info['questions']} questions of "
        f"categories 1-4; skipped: {info['skipped_questions']} questions without usable evidence and "
        f"{len(info['skipped_evidence_ids'])} malformed or unknown evidence ids {info['skipped_evidence_ids']}.",
        "",
        "| system | R@1 | R@5 | R@10 | R@20 | session R@10 | per-conversation R@10 (min-max, sd) | search p50 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        a, s = r["all"], r["r@10_spread"]
        lines.append(f"| {name} | {a['r@1']} | {a['r@5']} | {a['r@10']} | {a['r@20']} | {a['session_r@10']} | "
                     f"{s['min']}-{s['max']} ({s['stdev']}) | {data['search_ms_in_process'].get(name, '')} |")
    names = list(results)
    lines += ["", "R@10 by category:", "", "| category | n | " + " | ".join(names) + " |",
              "|---|---|" + "---|" * len(names)]
    first = results[names[0]]["by_category"]
    for cat, row in first.items():
        lines.append(f"| {cat} | {row['n']} | " + " | ".join(str(results[n]["by_category"][cat]["r@10"])
                                                            for n in names) + " |")
    lines += ["", "R@10 by conversation:", "", "| conversation | n | " + " | ".join(names) + " |",
              "|---|---|" + "---|" * len(names)]
    for conv, row in results[names[0]]["by_conversation"].items():
        lines.append(f"| {conv} | {row['n']} | " + " | ".join(str(results[n]["by_conversation"][conv]["r@10"])
                                                             for n in names) + " |")
    if "bm25" in results and "hybrid" in results:
        gain = round(results["hybrid"]["all"]["r@10"] - results["bm25"]["all"]["r@10"], 1)
        per = [round(results["hybrid"]["by_conversation"][c]["r@10"] - results["bm25"]["by_conversation"][c]["r@10"], 1)
               for c in results["bm25"]["by_conversation"]]
        lines += ["", f"Hybrid minus BM25, R@10: {gain:+} points overall; per conversation {per}."]
    lines += ["", "Search latency here is in-process (no HTTP), embedding cached for repeated queries excluded: "
              "see `speed.md` for latency over HTTP."]
    return "\n".join(lines)

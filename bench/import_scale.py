"""Issue 20: ``jean-memory import`` of a 45,000-line export (5,000 memories of 8 replaced versions each, half edited in
place as ``update`` keeps them, half replaced one after another) into a fresh SQLite data directory, timed as the
admin runs it. Writes ``bench/results/import_scale.md``. ``python -m bench.import_scale [memories] [versions]``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def export_lines(memories: int, versions: int) -> list[str]:
    out = []
    for i in range(memories):
        star = i % 2 == 0
        for v in range(versions):
            newer = f"m{i}" if star or v == versions - 1 else f"m{i}v{v + 1}"
            out.append({"type": "memory", "id": f"m{i}v{v}", "text": f"Project {i} review is booked for room {v} "
                        f"on floor {i % 7} with team {i % 13}", "tags": ["work"], "client_id": "claude",
                        "metadata": {}, "created_at": 1.7e9 + i * 100 + v, "updated_at": 1.7e9 + i * 100 + v,
                        "superseded_by": newer, "valid_until": 1.7e9 + i * 100 + v + 1, "expires_at": None,
                        "dates": [], "replaced_value": f"room {v}"})
        out.append({"type": "memory", "id": f"m{i}", "text": f"Project {i} review is booked for room {versions} "
                    f"on floor {i % 7} with team {i % 13}", "tags": ["work"], "client_id": "claude", "metadata": {},
                    "created_at": 1.7e9 + i * 100 + versions, "updated_at": 1.7e9 + i * 100 + versions,
                    "superseded_by": None, "valid_until": None, "expires_at": None, "dates": [],
                    "replaced_value": None})
    return [json.dumps(r) + "\n" for r in out]


def main() -> int:
    memories = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    versions = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    work = Path(tempfile.mkdtemp(prefix="import-scale-", dir=HERE / ".work" if (HERE / ".work").exists() else None))
    path = work / "export.jsonl"
    path.write_text("".join(export_lines(memories, versions)), encoding="utf-8")
    env = {**os.environ, "JEAN_MEMORY_DATA_DIR": str(work / "data")}
    cli = [sys.executable, "-m", "jean_memory.cli"]
    subprocess.run([*cli, "users", "create", "--email", "i@example.com", "--password", "long enough pw"],
                   env=env, check=True, capture_output=True)
    start = time.perf_counter()
    with path.open("rb") as f:
        done = subprocess.run([*cli, "import", "--email", "i@example.com"], stdin=f, env=env, capture_output=True)
    seconds = time.perf_counter() - start
    last = done.stderr.decode().strip().splitlines()[-1]
    lines = memories * (versions + 1)
    report = (f"# Import of a {lines:,}-line export\n\n`python -m bench.import_scale {memories} {versions}`: "
              f"`jean-memory import` of {lines:,} lines ({path.stat().st_size / 2**20:.1f} MiB; {memories:,} "
              f"memories of {versions} replaced versions each) into a fresh SQLite database: **{seconds:.1f} s** "
              f"(exit {done.returncode}; load average {os.getloadavg()[0]:.1f} after). It said: `{last}`\n")
    print(report)
    if memories == 5000 and versions == 8:
        (HERE / "results" / "import_scale.md").write_text(report, encoding="utf-8")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m bench``: every benchmark in turn (``make bench``); each also runs alone as ``python -m bench.<name>``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

ORDER = ["locomo", "supersede", "timelines", "latency", "embedding", "speed", "spaces", "session_flood", "peer_mem0",
         "bench_backends"]


def main() -> int:
    failed = []
    for name in ORDER:
        if importlib.util.find_spec(f"bench.{name}") is None:
            print(f"== bench.{name}: not present, skipped", flush=True)
            continue
        print(f"== bench.{name}", flush=True)
        t = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", f"bench.{name}"]).returncode
        print(f"== bench.{name}: exit {code} after {time.perf_counter() - t:.0f}s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

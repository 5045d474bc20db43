"""64 KB memories against a real server: the CPU one costs the server, and another user's search while one request
stores 100 of them (issue 20: "May " * 16250 took 54 s and held every other request as long).

    python -m bench.long_texts [--batch 100] [--probe search|status]

Prints, for each adversarial 64 KB text, the add's wall time and the server process's CPU time (user + system,
from ``psutil``); then the batch's wall time and the other user's probe latencies (count, p50, p99, max) while it
ran. Nothing is written to bench/results: the numbers go to the report of the change that asked for them.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from bench.common import pct
from bench.server import free_port, jean_memory
from bench.soak_auth import cli

LONG_TEXTS = {  # each about 64 KB, each once quadratic in some scan of an add
    "May": "May " * 16250, "mid-": "mid-" * 16000, "1-": "1-" * 32000, "on Monday": "on Monday " * 6500,
    "a@b.": "a@b." * 16000, "spaces": "a" + " " * 65000 + "b", "I live in": "I live in " * 6500,
}


def batch_texts(n: int) -> list[str]:
    """``n`` distinct long texts; 60,000 characters each, so that 100 fit in one request (the body limit is 6 MiB)."""
    units = list(LONG_TEXTS.values())
    return [f"{i} " + units[i % len(units)][:60000] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--probe", choices=("search", "status"), default="search")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "long.db", free_port()
        server = jean_memory(db, port)
        try:
            env = {"JEAN_MEMORY_DATABASE_URL": f"sqlite:///{db}", "JEAN_MEMORY_DATA_DIR": str(Path(tmp) / "data")}
            keys = []
            for who in ("writer", "reader"):
                cli(env, "users", "create", "--email", f"{who}@example.com", "--password", "long enough pw")
                keys.append(cli(env, "keys", "create", "--email", f"{who}@example.com").strip().splitlines()[-1])
            url, proc = f"http://127.0.0.1:{port}", psutil.Process(server.proc.pid)
            writer, reader = ({"Authorization": f"Bearer {k}"} for k in keys)
            httpx.post(f"{url}/api/v1/memories", json={"text": "I live in Lisbon"}, headers=reader, timeout=30)
            for name, text in LONG_TEXTS.items():
                cpu, started = proc.cpu_times(), time.perf_counter()
                r = httpx.post(f"{url}/api/v1/memories", json={"text": text}, headers=writer, timeout=300)
                wall, after = time.perf_counter() - started, proc.cpu_times()
                used = (after.user - cpu.user) + (after.system - cpu.system)
                print(f"{name:10} {len(text.encode()):6} B  {r.status_code}  wall {wall * 1e3:7.1f} ms"
                      f"  server CPU {used * 1e3:7.1f} ms")
            done, probes = threading.Event(), []
            body = {"text": batch_texts(args.batch)}

            def store() -> None:
                try:
                    httpx.post(f"{url}/api/v1/memories", json=body, headers=writer, timeout=600).raise_for_status()
                finally:
                    done.set()

            thread = threading.Thread(target=store)
            started = time.perf_counter()
            thread.start()
            with httpx.Client(base_url=url, headers=reader, timeout=60) as http:
                while not done.is_set():
                    t0 = time.perf_counter()
                    r = http.get("/api/v1/search", params={"q": "where do I live"}) if args.probe == "search" \
                        else http.get("/status")
                    r.raise_for_status()
                    probes.append(time.perf_counter() - t0)
            thread.join()
            took = time.perf_counter() - started
            ms = [p * 1e3 for p in probes]
            print(f"batch of {args.batch}: {took:.1f} s; other user's {args.probe} during it: {len(ms)} probes, p50 "
                  f"{pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

"""Soak and fault benchmark: mixed traffic against a real server that is SIGKILLed and restarted half-way.

Starts ``jean-memory serve`` (SQLite, the real embedder) on a loopback port, creates accounts and API keys with the
CLI, signs each account in through the real OAuth flow (register, authorize, login, consent, token: the tokens
and a site session), then runs ``--clients`` closed-loop clients for ``--minutes``: REST adds, searches and reads
(API key), MCP ``add_memories``, ``search_memory`` and ``jean_memory`` (OAuth access token), dashboard pages
(session cookie), with each account's refresh token rotated every few seconds beside them. ``--big-adds`` of the
adds (1%) are 64 KB texts, and ``--listen`` (200) 2026-07-28 ``subscriptions/listen`` streams are held open by
accounts of their own all along (``soak_streams.py``). Half-way the server
gets SIGKILL and a new process starts on the same port and data directory. Afterwards every add the server
acknowledged is read back by id (and a sample through another account, which must not see it). Reports requests
served, 5xx and connection errors and p50/p99 by phase (before, during the restart, after), acknowledged adds
lost, and the server's RSS over time. Run: ``python -m bench.soak [--minutes 10] [--clients 32] [--big-adds 0.01]
[--listen 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from .common import WORK, machine, write
from .server import free_port
from .soak_auth import Account, create_accounts, sign_in
from .soak_report import PHASES, markdown, summarize
from .soak_streams import STREAMS_PER_ACCOUNT, create_listener_accounts, listener
from .soak_traffic import Client, Record, refresher

ROOT = Path(__file__).resolve().parent.parent
LAST_S = 5.0  # the adds acknowledged this close to the SIGKILL are counted on their own


class Process:
    """``jean-memory serve`` on a fixed port and data directory; its request log appended to ``log``."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "jean_memory.cli", "serve"], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
                try:
                    if (await http.get(f"{self.url}/status")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)  # polling a process we started
        raise RuntimeError(f"server not ready after {timeout}s; see {self.log}")

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float | None:
    try:
        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    except psutil.Error:
        return None


async def sample_rss(server: Process, t0: float, every_s: float, stop_at: float, out: list[dict[str, Any]],
                     cpu: dict[int, float], rec: Record) -> None:
    while time.monotonic() < stop_at:
        pid = server.pid
        rss = rss_mib(pid)
        if rss is not None:
            out.append({"t_s": round(time.monotonic() - t0, 1), "pid": pid, "rss_mib": rss, "acked": len(rec.acks),
                        "load1": round(os.getloadavg()[0], 1), "listening": rec.listening})
        if (used := cpu_seconds(pid)) is not None:
            cpu[pid] = used
        await asyncio.sleep(every_s)


async def restart(server: Process, at: float, marks: dict[str, float], cpu: dict[int, float]) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    if (used := cpu_seconds(server.pid)) is not None:
        cpu[server.pid] = used
    marks["kill"] = time.monotonic()
    await server.kill()
    server.start()
    await server.ready()
    marks["ready"] = time.monotonic()


async def verify(base_url: str, accounts: list[Account], rec: Record, sample_cross: int, t0: float,
                 kill: float) -> dict[str, Any]:
    """Read every acknowledged memory back by id with its owner's key; a sample with another account's key too."""
    lost: list[dict[str, Any]] = []
    leaked: list[str] = []
    unique = {(a.account, a.memory_id): a for a in rec.acks}
    sem = asyncio.Semaphore(16)

    async def get(http: httpx.AsyncClient, key: str, memory_id: str) -> int:
        for _ in range(5):
            try:
                async with sem:
                    r = await http.get(f"/api/v1/memories/{memory_id}", headers={"Authorization": f"Bearer {key}"})
                return r.status_code
            except httpx.TransportError:
                await asyncio.sleep(0.5)
        return 0

    async def owner(http: httpx.AsyncClient, ack: Any) -> None:
        status = await get(http, accounts[ack.account].api_key, ack.memory_id)
        if status != 200:
            lost.append({"id": ack.memory_id, "account": ack.account, "op": ack.op, "status": status,
                         "acked_at_s": round(ack.at - t0, 2)})

    async def stranger(http: httpx.AsyncClient, ack: Any) -> None:
        other = accounts[(ack.account + 1) % len(accounts)]
        if await get(http, other.api_key, ack.memory_id) != 404:
            leaked.append(ack.memory_id)

    acks = list(unique.values())
    cross = acks[:: max(1, len(acks) // sample_cross)][:sample_cross] if len(accounts) > 1 else []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await asyncio.gather(*(owner(http, a) for a in acks), *(stranger(http, a) for a in cross))
    last = {(a.account, a.memory_id) for a in acks if kill - LAST_S <= a.at < kill}
    return {"acknowledged": len(acks), "lost": lost, "cross_account_checked": len(cross), "cross_account_seen": leaked,
            "acked_last_seconds_before_kill": len(last),
            "lost_of_those": sum((x["account"], x["id"]) in last for x in lost)}


def server_5xx(log: Path) -> int:
    import json

    count = 0
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("status"), int) and entry["status"] >= 500:
            count += 1
    return count


async def run(minutes: float, clients: int, users: int, refresh_every: float, rss_every: float,
              big_adds: float = 0.0, listen: int = 0) -> dict[str, Any]:
    from .soak_traffic import load_texts

    work = WORK / "soak"
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")} | {
        "JEAN_MEMORY_DATA_DIR": str(work / "data"), "JEAN_MEMORY_HOST": "127.0.0.1", "JEAN_MEMORY_PORT": str(port),
        "JEAN_MEMORY_PUBLIC_URL": f"http://127.0.0.1:{port}", "JEAN_MEMORY_LOG_FORMAT": "json",
        "JEAN_MEMORY_LOG_LEVEL": "INFO", "HF_HUB_OFFLINE": "1"}
    print(f"soak: {users} accounts ...", flush=True)
    accounts = create_accounts(env, users)
    listeners = create_listener_accounts(env, listen)
    texts, queries = load_texts()
    server = Process(env, port, work / "server.log")
    server.start()
    t_start = time.monotonic()
    await server.ready()
    cold_start_s = time.monotonic() - t_start
    try:
        for account in accounts:
            await sign_in(server.url, account)
        rec = Record()
        rss: list[dict[str, Any]] = []
        cpu: dict[int, float] = {}
        marks: dict[str, float] = {}
        first_pid = server.pid
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        stop_at = t0 + minutes * 60
        print(f"soak: {clients} clients for {minutes} min on {server.url}; SIGKILL at {minutes / 2} min", flush=True)
        workers = [Client(i, i % users, accounts[i % users], server.url, rec, texts, queries, stop_at, big_adds).run()
                   for i in range(clients)]
        streams = [listener(i, listeners[i // STREAMS_PER_ACCOUNT], server.url, rec, stop_at) for i in range(listen)]
        await asyncio.gather(*workers, *streams,
                             *(refresher(a, server.url, rec, refresh_every, stop_at) for a in accounts),
                             sample_rss(server, t0, rss_every, stop_at, rss, cpu, rec),
                             restart(server, t0 + minutes * 30, marks, cpu))
        elapsed = time.monotonic() - t0
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        if (used := cpu_seconds(server.pid)) is not None:
            cpu[server.pid] = used
        print("soak: verifying acknowledged adds ...", flush=True)
        checked = await verify(server.url, accounts, rec, 300, t0, marks["kill"])
    finally:
        server.stop()
    return {
        "minutes": minutes, "clients": clients, "accounts": users, "refresh_every_s": refresh_every,
        "big_adds": big_adds, "listen": listen, "listen_accounts": len(listeners), "listening_max": rec.listening_max,
        "cold_start_s": round(cold_start_s, 2), "elapsed_s": round(elapsed, 1),
        "kill_at_s": round(marks["kill"] - t0, 1), "ready_at_s": round(marks["ready"] - t0, 1),
        "restart_s": round(marks["ready"] - marks["kill"], 2),
        "server_cpu_s": {"first": round(cpu.get(first_pid, 0.0), 1), "second": round(cpu.get(server.pid, 0.0), 1)},
        "client_cpu_s": round(usage1.ru_utime + usage1.ru_stime - usage0.ru_utime - usage0.ru_stime, 1),
        "server_log_5xx": server_5xx(server.log), "cores": os.cpu_count(),
        **summarize(rec, t0, marks), "verify": checked, "rss": rss,
    }


def avx512() -> list[str]:
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return []
    return sorted({f for f in flags if f.startswith("avx512")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--users", type=int, default=4, help="accounts the clients are spread over")
    parser.add_argument("--refresh-every", type=float, default=10.0,
                        help="seconds between refresh-token rotations per account (default /token limit: 60/min)")
    parser.add_argument("--rss-every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--big-adds", type=float, default=0.01, help="share of REST and MCP adds that are 64 KB texts")
    parser.add_argument("--listen", type=int, default=200,
                        help="subscriptions/listen streams held open all along, by accounts of their own")
    args = parser.parse_args()
    if not 0 <= args.big_adds <= 1 or args.listen < 0:
        parser.error("--big-adds is a share from 0 to 1 and --listen a count from 0")
    data = asyncio.run(run(args.minutes, args.clients, args.users, args.refresh_every, args.rss_every,
                           args.big_adds, args.listen))
    data["avx512"], data["cpu"], data["rss_every_s"] = avx512(), machine()["cpu"], args.rss_every
    command = "python -m bench.soak" + ("" if (args.minutes, args.clients) == (10.0, 32) else
                                        f" --minutes {args.minutes:g} --clients {args.clients}") + (
        "" if (args.big_adds, args.listen) == (0.01, 200) else f" --big-adds {args.big_adds:g} --listen {args.listen}")
    write("soak", data, markdown(data), command)
    bad = data["verify"]["lost"] or data["verify"]["cross_account_seen"] or data["missing_during_run"] or any(
        data["phases"][p]["status_5xx"] for p in PHASES if p != "restart")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()

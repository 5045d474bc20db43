"""The soak run's numbers by phase (before the SIGKILL, during the restart, after it) and its Markdown report."""

from __future__ import annotations

from typing import Any

from .common import latency
from .soak_traffic import MIX, Record, Sample

PHASES = ("before", "restart", "after")
OPS = (*MIX, "rest_add_64k", "mcp_add_64k", "mcp_listen", "mcp_initialize", "token_refresh")
SPARK = "▁▂▃▄▅▆▇█"
WINDOW_S = 30


def phase_of(s: Sample, marks: dict[str, float]) -> str:
    """After: sent once the new process answered. Before: over before the SIGKILL. Anything else spans the restart."""
    if s.start >= marks["ready"]:
        return "after"
    return "before" if s.end < marks["kill"] else "restart"


def _cell(samples: list[Sample]) -> dict[str, Any]:
    answered = [s for s in samples if s.status]
    return {**latency([s.end - s.start for s in answered]), "requests": len(samples), "answered": len(answered),
            "ok": sum(200 <= s.status < 300 for s in samples), "status_5xx": sum(s.status >= 500 for s in samples),
            "conn_errors": sum(not s.status for s in samples),
            "other": _counts(s.status for s in samples if 300 <= s.status < 500)}


def _counts(statuses: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for status in statuses:
        out[str(status)] = out.get(str(status), 0) + 1
    return dict(sorted(out.items()))


def summarize(rec: Record, t0: float, marks: dict[str, float]) -> dict[str, Any]:
    end = max((s.end for s in rec.samples), default=marks["ready"])
    spans = {"before": marks["kill"] - t0, "restart": marks["ready"] - marks["kill"], "after": end - marks["ready"]}
    by_phase: dict[str, list[Sample]] = {p: [] for p in PHASES}
    for s in rec.samples:
        by_phase[phase_of(s, marks)].append(s)
    phases = {}
    for p in PHASES:
        cell = _cell(by_phase[p])
        phases[p] = {**cell, "seconds": round(spans[p], 1),
                     "served_per_s": round(cell["ok"] / spans[p], 1) if spans[p] else 0.0,
                     "ops": {op: _cell([s for s in by_phase[p] if s.op == op]) for op in OPS},
                     "acks": sum(phase_of(Sample("", a.at, a.at, 1), marks) == p for a in rec.acks)}
    timeline = []
    windows = max(1, round((end - t0) / WINDOW_S))  # the last one takes the stragglers after the stop
    for k in range(windows):
        lo, hi = t0 + k * WINDOW_S, t0 + (k + 1) * WINDOW_S if k + 1 < windows else end + 1
        cell = _cell([s for s in rec.samples if lo <= s.end < hi])
        timeline.append({"from_s": k * WINDOW_S, "served_per_s": round(cell["ok"] / WINDOW_S, 1),
                         "p50_ms": cell["p50_ms"], "p99_ms": cell["p99_ms"], "status_5xx": cell["status_5xx"],
                         "conn_errors": cell["conn_errors"]})
    return {"phases": phases, "timeline": timeline, "requests": len(rec.samples),
            "served": sum(phases[p]["ok"] for p in PHASES),
            "mcp_reinit": rec.mcp_reinit, "tool_errors": rec.tool_errors,
            "missing_during_run": [{"id": i, "t_s": round(t - t0, 1)} for i, t in rec.missing_during_run]}


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    lo, hi = min(values), max(values)
    return "".join(SPARK[0 if hi == lo else round((v - lo) / (hi - lo) * (len(SPARK) - 1))] for v in values)


def _last_before(rss: list[dict[str, Any]], t: float) -> dict[str, Any] | None:
    before = [r for r in rss if r["t_s"] < t]
    return before[-1] if before else None


def markdown(d: dict[str, Any]) -> str:
    ph, v = d["phases"], d["verify"]
    lost = len(v["lost"])
    out = [
        f"{d['clients']} closed-loop clients over {d['accounts']} accounts for {d['minutes']:g} min "
        f"({d['elapsed_s']} s) against one `jean-memory serve` (SQLite, the real embedder); SIGKILL at "
        f"{d['kill_at_s']} s, the new process answered {d['restart_s']} s later (the first one's cold start: "
        f"{d['cold_start_s']} s). CPU: {d['cpu']}, {d['cores']} cores, "
        f"AVX-512: {', '.join(d['avx512']) or 'none'}.",
        "",
        f"- **Requests served** (2xx): {d['served']:,} of {d['requests']:,} sent.",
        f"- **Acknowledged adds lost: {lost}** of {v['acknowledged']:,} (each read back by id with its owner's key "
        f"after the run); {len(v['cross_account_seen'])} of {v['cross_account_checked']} read through another "
        f"account were visible to it (must be 0). Of the {v['acked_last_seconds_before_kill']} adds acknowledged in "
        f"the last 5 s before the SIGKILL, {v['lost_of_those']} were lost.",
        f"- **5xx**: {ph['before']['status_5xx']} before, {ph['restart']['status_5xx']} during the restart, "
        f"{ph['after']['status_5xx']} after (the server's own log: {d['server_log_5xx']}). Connection errors: "
        f"{ph['before']['conn_errors']} / {ph['restart']['conn_errors']} / {ph['after']['conn_errors']}.",
        f"- Side load: {d.get('big_adds', 0):.0%} of REST and MCP adds were 64 KB texts (`rest_add_64k`, "
        f"`mcp_add_64k` below); {d.get('listen', 0)} `subscriptions/listen` streams were held open by "
        f"{d.get('listen_accounts', 0)} accounts of their own, at most {d.get('listening_max', 0)} at once "
        f"(`mcp_listen`: time to open one). Other users' searches: `rest_search` p99 "
        f"{ph['before']['ops']['rest_search']['p99_ms']} / {ph['after']['ops']['rest_search']['p99_ms']} ms, "
        f"`mcp_search` p99 {ph['before']['ops']['mcp_search']['p99_ms']} / "
        f"{ph['after']['ops']['mcp_search']['p99_ms']} ms (before / after the restart).",
        f"- Read-back of an acknowledged memory during the run that answered 404: {len(d['missing_during_run'])}. "
        f"MCP sessions reopened after the restart (404 on the old session id): {d['mcp_reinit']}. Tool errors: "
        f"{d['tool_errors'] or 'none'}.",
        f"- Saturation: the server used {d['server_cpu_s']['first']} + {d['server_cpu_s']['second']} CPU-seconds "
        f"in {d['elapsed_s']} s ({(d['server_cpu_s']['first'] + d['server_cpu_s']['second']) / d['elapsed_s']:.2f} "
        f"of {d['cores']} cores), the load generator {d['client_cpu_s']} ({d['client_cpu_s'] / d['elapsed_s']:.2f} "
        f"cores); the machine is shared, so latency here is queueing on a saturated box, not a single request's cost.",
        "",
        "## By phase",
        "",
        "| phase | seconds | requests | served | served/s | p50 ms | p99 ms | 5xx | conn errors | 3xx/4xx "
        "| adds acked |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for p in PHASES:
        c = ph[p]
        out.append(f"| {p} | {c['seconds']} | {c['requests']:,} | {c['ok']:,} | {c['served_per_s']} | {c['p50_ms']} | "
                   f"{c['p99_ms']} | {c['status_5xx']} | {c['conn_errors']} | {_fmt(c['other'])} | "
                   f"{c['acks']:,} |")
    out += ["", "Latency counts answered requests only. A request is *before* when it ended before the SIGKILL, "
            "*after* when it was sent once the new process answered `/status`, *restart* otherwise. Served means a 2xx "
            "(a dashboard page that redirects to the login form does not count). A 404 from `/mcp` is an MCP "
            "session id of the killed process that the new one does not know; the client then opened a new "
            "session, as the spec asks.", "",
            "## By operation, before and after the restart", "",
            "| operation | n before | p50 / p99 ms before | n after | p50 / p99 ms after | 5xx | 3xx/4xx |",
            "|---|---:|---:|---:|---:|---:|---|"]
    for op in OPS:
        b, a = ph["before"]["ops"][op], ph["after"]["ops"][op]
        fives = b["status_5xx"] + a["status_5xx"]
        fours = _fmt({k: b["other"].get(k, 0) + a["other"].get(k, 0) for k in {*b["other"], *a["other"]}})
        out.append(f"| {op} | {b['answered']:,} | {b['p50_ms']} / {b['p99_ms']} | {a['answered']:,} | "
                   f"{a['p50_ms']} / {a['p99_ms']} | {fives} | {fours} |")
    rss, first_pid = d["rss"], d["rss"][0]["pid"] if d["rss"] else None
    out += ["", "## Over time", "",
            f"Per {WINDOW_S} s window (by when requests ended): served/s `"
            f"{sparkline([w['served_per_s'] for w in d['timeline']])}`, server RSS (sampled from `/proc/<pid>/status` "
            f"every {d.get('rss_every_s', 5):g} s) `{sparkline([r['rss_mib'] for r in rss])}`. RSS, adds so far and "
            "the machine's load average are the last sample in the window; the load average counts every process "
            "on the machine, other people's work included.", "",
            "| window (s) | served/s | p50 ms | p99 ms | 5xx | conn errors | RSS MiB | process | adds acked so far "
            "| load avg (1 min) |", "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for w in d["timeline"]:
        r = _last_before(rss, w["from_s"] + WINDOW_S)
        cells = (f"{r['rss_mib']} | {'first' if r['pid'] == first_pid else 'restarted'} | {r['acked']:,} | "
                 f"{r.get('load1', '')}") if r else "| | |"
        out.append(f"| {w['from_s']}-{w['from_s'] + WINDOW_S} | {w['served_per_s']} | {w['p50_ms']} | "
                   f"{w['p99_ms']} | {w['status_5xx']} | {w['conn_errors']} | {cells} |")
    if v["lost"]:
        out += ["", "## Lost acknowledged adds", "", *(f"- {x}" for x in v["lost"][:50])]
    return "\n".join(out)


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(counts.items()) if n) or "-"

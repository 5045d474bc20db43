#!/usr/bin/python3
"""A stand-in for ``systemctl`` inside a chroot, where systemd cannot run (tests/e2e/test_vps_walkthrough.py).

It does what systemd would do with the units the README installs, by hand: ``start`` runs a unit's
``ExecStartPre=``/``ExecStart=``/``ExecStartPost=`` as its ``User=``/``Group=``, in its ``WorkingDirectory=``, with
its ``UMask=``, its ``Environment=`` lines (unit, then drop-ins) and then its ``EnvironmentFile=`` (systemd's
syntax: ``NAME=value``, ``#`` comments, a value wholly in single or double quotes loses them); ``%%`` becomes ``%``.
A ``Type=oneshot`` unit runs to completion; any other is started in the background (pid and log under
/run/fake-systemd). ``enable`` checks the unit exists and has an ``[Install]`` section (a timer: that its
``Unit=`` exists and it has ``OnCalendar=``). Units not in /etc/systemd/system (caddy) are left alone.
Only the python3 standard library: it runs on the chroot's own Python.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

UNITS = Path("/etc/systemd/system")
STATE = Path("/run/fake-systemd")
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def fail(message: str) -> None:
    print(f"systemctl (test stand-in): {message}", file=sys.stderr)
    raise SystemExit(1)


def parse_unit(name: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file and its drop-ins (name.d/*.conf, in order), each a list of (key, value)."""
    files = [UNITS / name, *sorted((UNITS / f"{name}.d").glob("*.conf"))]
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for path in files:
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                current = sections.setdefault(line[1:-1], [])
            else:
                key, _, value = line.partition("=")
                current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def environment_file(path: str) -> dict[str, str]:
    optional = path.startswith("-")
    path = path.lstrip("-")
    if not os.path.exists(path):
        if optional:
            return {}
        fail(f"EnvironmentFile {path} does not exist")
    env = {}
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def service_env(service: list[tuple[str, str]]) -> tuple[dict[str, str], pwd.struct_passwd]:
    user = pwd.getpwnam(values(service, "User")[-1] if values(service, "User") else "root")
    env = {"PATH": BASE_PATH, "LANG": "C.UTF-8", "HOME": user.pw_dir, "USER": user.pw_name,
           "LOGNAME": user.pw_name, "SHELL": user.pw_shell}
    for line in values(service, "Environment"):
        for item in shlex.split(line):
            key, _, value = item.partition("=")
            env[key] = value
    for path in values(service, "EnvironmentFile"):
        env.update(environment_file(path))
    return env, user


def command_line(line: str) -> tuple[list[str], bool]:
    ignore_failure = line.startswith("-")
    return shlex.split(line.lstrip("-@+").replace("%%", "%")), ignore_failure


def spawn(service: list[tuple[str, str]], line: str, background: bool, log: Path) -> int:
    env, user = service_env(service)
    group = grp.getgrnam(values(service, "Group")[-1]).gr_gid if values(service, "Group") else user.pw_gid
    umask = int(values(service, "UMask")[-1], 8) if values(service, "UMask") else 0o022
    cwd = values(service, "WorkingDirectory")[-1] if values(service, "WorkingDirectory") else "/"
    argv, ignore_failure = command_line(line)

    def demote() -> None:
        os.setsid()
        os.umask(umask)
        os.setgroups([])
        os.setgid(group)
        os.setuid(user.pw_uid)

    with open(log, "ab") as out:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, preexec_fn=demote)
    if background:
        return process.pid
    code = process.wait()
    if code and not ignore_failure:
        sys.stderr.write(log.read_text(errors="replace"))
        fail(f"{argv[0]} exited with {code}")
    return 0


def pidfile(name: str) -> Path:
    return STATE / f"{name}.pid"


def start(name: str) -> None:
    if name.endswith(".timer"):
        timer = parse_unit(name).get("Timer", [])
        target = values(timer, "Unit")[-1] if values(timer, "Unit") else name.replace(".timer", ".service")
        if not (UNITS / target).exists() or not values(timer, "OnCalendar"):
            fail(f"{name}: its unit {target} is not installed, or it has no OnCalendar=")
        (STATE / f"{name}.active").write_text(target)
        return
    service = parse_unit(name).get("Service", [])
    log = STATE / f"{name}.log"
    for line in values(service, "ExecStartPre"):
        spawn(service, line, False, log)
    oneshot = values(service, "Type")[-1:] == ["oneshot"]
    for line in values(service, "ExecStart"):
        pid = spawn(service, line, not oneshot, log)
        if not oneshot:
            pidfile(name).write_text(str(pid))
    for line in values(service, "ExecStartPost"):
        spawn(service, line, False, log)


def stop(name: str) -> None:
    path = pidfile(name)
    if not path.exists():
        return
    pid = int(path.read_text())
    path.unlink()
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return
        except ChildProcessError:  # not our child (started by an earlier systemctl): watch /proc instead
            if not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text():
                return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def unit_name(name: str) -> str:
    return name if "." in name else f"{name}.service"


def main(argv: list[str]) -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    verb, rest = argv[0], argv[1:]
    now = "--now" in rest
    names = [unit_name(n) for n in rest if not n.startswith("-")]
    if verb == "daemon-reload":
        for path in UNITS.glob("*.*"):
            if path.suffix in (".service", ".timer"):
                parse_unit(path.name)
        return
    ours = [n for n in names if (UNITS / n).exists()]
    for name in names:
        if name not in ours:
            if verb == "enable":
                fail(f"Unit file {name} does not exist.")
            print(f"systemctl (test stand-in): {verb} {name}: not emulated", file=sys.stderr)
    for name in ours:
        if verb == "enable":
            if "Install" not in parse_unit(name):
                fail(f"{name} has no [Install] section: enable would do nothing")
            if now:
                start(name)
        elif verb == "start":
            start(name)
        elif verb == "stop":
            stop(name)
        elif verb == "restart":
            stop(name)
            start(name)
        else:
            fail(f"{verb} is not emulated")


if __name__ == "__main__":
    main(sys.argv[1:])

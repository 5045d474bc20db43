"""Soak set-up: accounts and API keys through the CLI, then each account's site session and OAuth grant over HTTP.

The OAuth grant goes through the real flow (``/register``, ``/authorize``, the login form, the consent form,
``/token``) with the raw helpers of ``tests/oauth``; the site session is the one that login left in the cookie jar.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.oauth.flows import exchange, get_code, refresh, register

PASSWORD = "soak correct horse battery"


@dataclass
class Account:
    email: str
    api_key: str
    client_id: str = ""
    access: str = ""
    refresh_token: str = ""
    cookie: str = ""  # the site session, as a Cookie header
    refresh_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``jean-memory ARGS`` against the soak's data directory; its stdout."""
    out = subprocess.run([sys.executable, "-m", "jean_memory.cli", *args], env=env, capture_output=True, text=True,
                         timeout=180, cwd=Path(__file__).resolve().parent.parent)
    if out.returncode:
        raise RuntimeError(f"jean-memory {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


def create_accounts(env: dict[str, str], count: int) -> list[Account]:
    accounts = []
    for i in range(count):
        email = f"soak{i}@example.com"
        cli(env, "users", "create", "--email", email, "--password", PASSWORD)
        key = cli(env, "keys", "create", "--email", email, "--name", "soak").strip().splitlines()[-1].strip()
        accounts.append(Account(email, key))
    return accounts


async def sign_in(base_url: str, account: Account) -> None:
    """Register an OAuth client, sign in and consent through the site, exchange the code: tokens plus a session."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        info = await register(http, client_name=f"soak {account.email}")
        account.client_id = info["client_id"]
        code, verifier = await get_code(http, account.client_id, account.email, PASSWORD)
        r = await exchange(http, account.client_id, code, verifier)
        r.raise_for_status()
        account.access, account.refresh_token = r.json()["access_token"], r.json()["refresh_token"]
        account.cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)
    if not account.cookie:
        raise RuntimeError(f"no site session cookie after signing in {account.email}")


async def rotate(http: httpx.AsyncClient, account: Account) -> int:
    """One refresh-token rotation; the account's tokens change only on a 200. The HTTP status."""
    async with account.refresh_lock:
        r = await refresh(http, account.client_id, account.refresh_token)
        if r.status_code == 200:
            account.access, account.refresh_token = r.json()["access_token"], r.json()["refresh_token"]
        return r.status_code

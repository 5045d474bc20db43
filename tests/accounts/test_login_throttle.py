"""The login backoff policy and the rate-limit source of an address (IPv6 by /64)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from jean_memory.accounts.login_throttle import MAX_WAIT, backoff
from jean_memory.throttle import source_key


def test_backoff_starts_after_five_failures_doubles_and_is_bounded() -> None:
    assert [backoff(n) for n in range(1, 11)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900]
    assert backoff(10_000) == MAX_WAIT == 900


@pytest.mark.parametrize(("host", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.4", "198.51.100.4"),
    ("fe80::1%eth0", "fe80::/64"),
    ("testclient", "testclient"),
])
def test_source_key_groups_ipv6_by_64(host: str, key: str) -> None:
    request = Request({"type": "http", "client": (host, 1234), "headers": []})
    assert source_key(request) == key

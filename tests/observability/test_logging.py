from __future__ import annotations

import io
import logging

import httpx
import pytest

from jean_memory.observability import annotate, request_fields
from jean_memory.observability.logging import configure_logging, redact, use_json
from jean_memory.settings import Settings
from tests.conftest import Account

from .conftest import CapturedLog

pytestmark = pytest.mark.anyio


async def test_one_line_per_request_with_the_fields(client: httpx.AsyncClient, alice: Account,
                                                    captured_log: CapturedLog) -> None:
    added = await client.post("/api/v1/memories", json={"text": "my cat is called Biscuit"}, headers=alice.headers)
    assert added.status_code == 201
    memory_id = added.json()["memories"][0]["id"]
    got = await client.get(f"/api/v1/memories/{memory_id}", headers=alice.headers)
    assert got.status_code == 200

    lines = captured_log.requests()
    assert len(lines) == 2
    post, get = lines
    assert post["route"] == "/api/v1/memories" and post["method"] == "POST" and post["status"] == 201
    assert get["route"] == "/api/v1/memories/{memory_id}" and get["status"] == 200
    for line in lines:
        assert line["user_id"] == alice.user_id
        assert line["client_id"].startswith("api-key:")
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert len(line["request_id"]) == 32
    assert post["request_id"] != get["request_id"]
    assert got.headers["x-request-id"] == get["request_id"]
    assert "alice@example.com" not in captured_log.text  # user id, never the email


async def test_secrets_never_reach_the_log(client: httpx.AsyncClient, alice: Account,
                                           captured_log: CapturedLog) -> None:
    memory_text = "the vault combination is 31-4-1592 zebra"
    password = "hunter2-correct-horse"
    r = await client.post("/api/v1/memories", json={"text": memory_text}, headers=alice.headers)
    assert r.status_code == 201
    r = await client.get("/api/v1/search", params={"q": memory_text}, headers=alice.headers)
    assert r.status_code == 200
    # A password form post (to whatever answers /login) and a wrong key: both logged as requests, neither leaked.
    await client.post("/login", data={"email": alice.email, "password": password, "csrf_token": "csrf-xyz-123456"})
    await client.get("/api/v1/memories", headers={"Authorization": "Bearer jm_wrongwrongwrongwrongwrongwrong"})
    # Code that logs carelessly is still scrubbed by the guard.
    logging.getLogger("careless").warning("got Authorization: Bearer %s and password=%s", alice.api_key, password)

    text = captured_log.text
    assert len(captured_log.requests()) == 4
    for secret in (alice.api_key, password, memory_text, "31-4-1592", "csrf-xyz-123456", "jm_wrongwrong"):
        assert secret not in text, secret
    assert "[redacted]" in text


def test_redact_masks_credential_shapes() -> None:
    assert redact("code=abc123def&state=x") == "code=[redacted]&state=x"
    assert redact('{"refresh_token": "r-1234567890"}') == '{"refresh_token": "[redacted]"}'
    basic = redact("Authorization: Basic Y2xpZW50OnNlY3JldA==")
    assert "Y2xp" not in basic and basic.startswith("Authorization: [redacted]")
    assert "jm_" not in redact("key jm_AAAAAAAAAAAAAAAAAAAAAAAAAAAA used")
    assert redact("status_code=200 user_id=u1") == "status_code=200 user_id=u1"


def test_annotate_refuses_unknown_fields_and_is_silent_outside_requests() -> None:
    annotate(user_id="u1")  # no request: nothing recorded, nothing raised
    assert request_fields() == {}
    with pytest.raises(ValueError, match="email"):
        annotate(email="a@example.com")


def test_format_auto_is_json_off_a_terminal_and_bad_values_are_clear(settings: Settings) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_json(settings, io.StringIO()) is True
    assert use_json(settings, Tty()) is False
    assert use_json(settings.model_copy(update={"log_format": "json"}), Tty()) is True
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        use_json(settings.model_copy(update={"log_format": "xml"}), io.StringIO())
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        configure_logging(settings.model_copy(update={"log_level": "LOUD"}), io.StringIO())

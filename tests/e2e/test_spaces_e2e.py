"""Spaces over real sockets (issue 21): a real server process, the real MCP SDK client and plain HTTP.

A key given only ``work`` cannot see ``personal`` through any MCP tool, REST or ``search``/``fetch``; a reader cannot
add, update or delete; removing a member and narrowing a key act on the very next request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client

from jean_memory.store import open_sqlite
from jean_memory.store.space_records import Reachable
from tests.e2e.server import running_server
from tests.mcp_server.conftest import text

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]
SECRET = "Nobody may know: my blood pressure is 150 over 95"


@asynccontextmanager
async def mcp(url: str, key: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        yield client


def _key(server: Any, *args: str) -> str:
    made = server.cli("keys", "create", *args)
    assert made.returncode == 0, made.stderr
    return str(made.stdout.decode().strip().splitlines()[-1])


async def test_a_key_given_only_work_sees_nothing_of_personal_anywhere(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as server:
        assert server.cli("users", "create", "--email", "a@example.com", "--no-password").returncode == 0
        assert server.cli("spaces", "create", "--email", "a@example.com", "--name", "work").returncode == 0
        full = _key(server, "--email", "a@example.com", "--name", "everything")
        work = _key(server, "--email", "a@example.com", "--name", "work only", "--space", "work",
                    "--write-space", "work")
        api = f"{server.url}/api/v1"
        async with httpx.AsyncClient(timeout=60) as http:
            added = await http.post(f"{api}/memories", json={"text": SECRET},
                                    headers={"Authorization": f"Bearer {full}"})
            assert added.status_code == 201 and added.json()["memories"][0]["space_name"] == "personal"
            secret_id = added.json()["memories"][0]["id"]
            doc = await http.post(f"{api}/documents", json={"title": "Blood pressure log", "content": SECRET},
                                  headers={"Authorization": f"Bearer {full}"})
            assert doc.status_code == 201
            doc_id = doc.json()["id"]

            w = {"Authorization": f"Bearer {work}"}
            mine = await http.post(f"{api}/memories", json={"text": "The release freeze starts on Thursday"},
                                   headers=w)
            assert mine.status_code == 201 and mine.json()["memories"][0]["space_name"] == "work"
            rest = [await http.get(f"{api}/search", params={"q": "blood pressure", "include_documents": "true"},
                                   headers=w),
                    await http.get(f"{api}/memories", params={"include_history": "true"}, headers=w),
                    await http.get(f"{api}/documents", headers=w)]
            for answer in rest:
                assert answer.status_code == 200 and "blood pressure" not in answer.text.lower()
            for path in (f"/memories/{secret_id}", f"/documents/{doc_id}"):
                assert (await http.get(api + path, headers=w)).status_code == 404
            spaces = (await http.get(f"{api}/spaces", headers=w)).json()
            assert [s["name"] for s in spaces] == ["work"] and spaces[0]["can_write"] is True
            refused = await http.post(f"{api}/memories", json={"text": "x", "space": "personal"}, headers=w)
            assert refused.status_code == 403 and "personal" in refused.text

        async with mcp(server.url, work) as s:
            calls: list[tuple[str, dict[str, Any]]] = [
                ("search_memory", {"query": "blood pressure", "include_history": True}),
                ("list_memories", {"include_history": True}),
                ("jean_memory", {"user_message": "what is my blood pressure?"}),
                ("search", {"query": "blood pressure"}), ("list_spaces", {}),
            ]
            for name, args in calls:
                result = await s.call_tool(name, args)
                seen = text(result) + json.dumps(result.structured_content or {})
                assert "blood pressure is" not in seen.lower() and secret_id not in seen, name
            for name, args in (("fetch", {"id": f"memory:{secret_id}"}), ("fetch", {"id": f"document:{doc_id}"}),
                               ("get_document", {"document_id": doc_id})):
                result = await s.call_tool(name, args)
                assert result.is_error and "blood pressure" not in text(result).lower(), name
            refused_tool = await s.call_tool("add_memories", {"text": "sneaky", "space": "personal"})
            assert refused_tool.is_error and "personal" in text(refused_tool)


async def test_a_reader_cannot_write_and_removal_and_narrowing_act_on_the_next_request(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as server:
        for who in ("owner@example.com", "reader@example.com"):
            assert server.cli("users", "create", "--email", who, "--no-password").returncode == 0
        assert server.cli("spaces", "create", "--email", "owner@example.com", "--name", "household").returncode == 0
        owner = _key(server, "--email", "owner@example.com", "--name", "o")
        api = f"{server.url}/api/v1"
        o = {"Authorization": f"Bearer {owner}"}
        async with httpx.AsyncClient(timeout=60) as http:
            household = next(s for s in (await http.get(f"{api}/spaces", headers=o)).json()
                             if s["name"] == "household")
            fact = await http.post(f"{api}/memories", json={"text": "The bins go out on Tuesday evening",
                                                            "space": household["id"]}, headers=o)
            fact_id = fact.json()["memories"][0]["id"]
            invited = await http.post(f"{api}/spaces/{household['id']}/members",
                                      json={"email": "reader@example.com", "role": "reader"}, headers=o)
            assert invited.status_code in (200, 201), invited.text
            reader_key = _key(server, "--email", "reader@example.com", "--name", "r")
            r = {"Authorization": f"Bearer {reader_key}"}
            pending = (await http.get(f"{api}/invitations", headers=r)).json()
            assert (await http.post(f"{api}/invitations/{pending[0]['id']}/accept", headers=r)).status_code == 200
            # A member's connections reach a shared space only once the member gives it to them.
            scoped = _key(server, "--email", "reader@example.com", "--name", "household", "--space",
                          household["id"])
            s_head = {"Authorization": f"Bearer {scoped}"}
            found = await http.get(f"{api}/search", params={"q": "bins"}, headers=s_head)
            assert [h["memory"]["id"] if "memory" in h else h["id"] for h in found.json()][:1] == [fact_id]

            async with mcp(server.url, scoped) as s:
                for name, args in (("add_memories", {"text": "Bins moved to Wednesday", "space": household["id"]}),
                                   ("update_memory", {"memory_id": fact_id, "text": "Bins on Friday"}),
                                   ("delete_memories", {"memory_ids": [fact_id]})):
                    result = await s.call_tool(name, args)
                    assert result.is_error and "household" in text(result) and "read" in text(result), name
            for attempt in (http.patch(f"{api}/memories/{fact_id}", json={"text": "Friday"}, headers=s_head),
                            http.delete(f"{api}/memories/{fact_id}", headers=s_head)):
                answer = await attempt
                assert answer.status_code == 403 and "household" in answer.text
            assert (await http.get(f"{api}/memories/{fact_id}", headers=o)).json()["text"].endswith("evening")

            # Removal acts on the next request.
            removed = await http.delete(f"{api}/spaces/{household['id']}/members/reader@example.com", headers=o)
            assert removed.status_code in (200, 204)
            gone = await http.get(f"{api}/search", params={"q": "bins"}, headers=s_head)
            assert fact_id not in gone.text
            assert (await http.get(f"{api}/memories/{fact_id}", headers=s_head)).status_code == 404

        # Narrowing a key acts on the next request, even when another process (the dashboard of a second
        # replica, here this test) narrows it.
        assert server.cli("spaces", "create", "--email", "owner@example.com", "--name", "work").returncode == 0
        async with httpx.AsyncClient(timeout=60) as http:
            assert (await http.get(f"{api}/memories/{fact_id}", headers=o)).status_code == 200
            stores = open_sqlite(str(tmp_path / "data" / "jean_memory.sqlite3"))
            try:
                user = await stores.users.get_user_by_email("owner@example.com")
                assert user is not None
                spaces = {s.name: s.id for s in await stores.spaces.spaces_of(user.id)}
                key = next(k for k in await stores.api_keys.list_keys(user.id) if k.name == "o")
                assert await stores.spaces.set_key_reach(user.id, key.id, Reachable((spaces["work"],), None))
            finally:
                await stores.database.close()
            assert (await http.get(f"{api}/memories/{fact_id}", headers=o)).status_code == 404
            refused = await http.post(f"{api}/memories", json={"text": "Milk is in the fridge"}, headers=o)
            assert refused.status_code == 403  # its default (personal) is no longer given to it

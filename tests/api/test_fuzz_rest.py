"""Fuzzing every operation of the OpenAPI document (schemathesis, valid and invalid data) against the real app
in-process, with a real SQLite file and a signed-in API key: never a 5xx, never a traceback, and responses that
match the document. The OAuth endpoints get their own form/JSON strategies (their bodies are not in the document).

The tally (cases run, 5xx seen) is printed at the end of the run; FUZZ_EXAMPLES raises the budget."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import example, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks as openapi_checks

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.settings import Settings
from tests.conftest import Account, make_account
from tests.fuzzing import (
    FUZZ,
    HOSTILE,
    HOSTILE_TEXT,
    Tally,
    assert_no_traceback,
    deep,
    dumps,
    each,
)

TALLY = Tally()


def rejects_invalid_bodies(ctx: schemathesis.CheckContext, response: Any, case: schemathesis.Case) -> bool | None:
    """schemathesis' ``negative_data_rejection``, for bodies and path parameters only: a lone ``tag=x`` is a valid
    one-item list on the wire, which the check (``anyOf`` of array and null) does not see."""
    negated = {where for where, info in (case.meta.components if case.meta else {}).items() if info.mode.is_negative}
    if ParameterLocation.QUERY in negated:
        return None
    return openapi_checks.negative_data_rejection(ctx, response, case)


CHECKS = [schemathesis.checks.not_a_server_error, openapi_checks.response_schema_conformance,
          openapi_checks.content_type_conformance, rejects_invalid_bodies]
REDIRECT = "https://claude.ai/api/mcp/auth_callback"
FORM = "application/x-www-form-urlencoded"



# Known 5xx awaiting a fix: (target, predicate on what was sent, who fixes it). Empty since the issue 12 fixes
# merged; an entry hides matching 5xx from the assertion, so add one only with an open issue behind it.
KNOWN: list[tuple[str, Callable[[dict[str, Any]], bool], str]] = []


@dataclass
class Fuzzed:
    app: FastAPI
    schema: Any
    account: Account
    memory_id: str
    document_id: str
    client_id: str
    session: requests.Session


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    TALLY.report(request, "REST fuzz")


@pytest.fixture
def fuzzed(tmp_path: Path, embedder: MiniLMEmbedder) -> Iterator[Fuzzed]:
    """A fresh app per test: schemathesis' pytest plugin ends the ASGI lifespans it started after every test."""
    settings = Settings(data_dir=tmp_path / "data", public_url="http://testserver",
                        rate_limit_register=10**9, rate_limit_token=10**9, rate_limit_login=10**9,
                        _env_file=None)  # type: ignore[call-arg]

    async def seed() -> tuple[Account, str, str, str]:  # one app to seed the file, closed before the fuzzed one
        app = create_app(settings, embedder=embedder)
        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            account = await make_account(runtime, "fuzz@example.com")
            memory = (await runtime.memory.add(account.user_id, "I keep bees on the roof", ["bees"]))[0].memory
            document = await runtime.memory.store_document(account.user_id, "Hive notes", "Two hives, both calm.")
        return account, memory.id, document.id, ""

    account, memory_id, document_id, _ = anyio.run(seed)
    app = create_app(settings, embedder=embedder)
    session = asgi.get_client(app)
    with session:  # starts the app's lifespan on schemathesis' event loop; every call below runs there
        registered = session.post("/register", json={"redirect_uris": [REDIRECT], "client_name": "Fuzz",
                                                     "token_endpoint_auth_method": "none"})
        assert registered.status_code == 201, registered.text
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
        yield Fuzzed(app, schema, account, memory_id, document_id, registered.json()["client_id"], session)
    asgi.shutdown_lifespans()


def _known(target: str, sent: dict[str, Any]) -> str | None:
    return next((who for name, matches, who in KNOWN if name == target and matches(sent)), None)


def _send(call: Callable[[], requests.Response]) -> tuple[int, str, requests.Response | None]:
    """The response, or for an exception that escaped the app (the in-process client re-raises it) a 500."""
    try:
        response = call()
    except Exception as exc:
        return 500, f"{type(exc).__name__}: {exc}", None
    return response.status_code, response.text, response


def _judge(target: str, status: int, body: str, sent: dict[str, Any]) -> None:
    TALLY.cases[target] += 1
    if status >= 500:
        who = _known(target, sent)
        if who:
            TALLY.known[target] += 1
            return
        TALLY.server_errors[target] += 1
        raise AssertionError(f"{target} answered {status} to {sent!r:.500}: {body[:300]}")
    assert_no_traceback(body, target)


def _operations() -> list[str]:
    app = create_app(Settings(database_url="sqlite:///:memory:", _env_file=None),  # type: ignore[call-arg]
                     embedder=MiniLMEmbedder.shared())
    return [f"{method.upper()} {path}" for path, ops in app.openapi()["paths"].items() for method in ops]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_every_operation_survives_schema_fuzzing(fuzzed: Fuzzed, mode: GenerationMode) -> None:
    operations = [result.ok() for result in fuzzed.schema.get_all_operations()]
    assert [op.label for op in operations] == _operations()  # every operation of the document, none filtered out
    each(operations, lambda op: op.label, lambda op: _fuzz_operation(fuzzed, op, mode),
         unsatisfiable_ok=mode is GenerationMode.NEGATIVE)  # no parameters, or a path taking any text


def _fuzz_operation(fuzzed: Fuzzed, operation: Any, mode: GenerationMode) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    ids = {"memory_id": fuzzed.memory_id, "document_id": fuzzed.document_id, "client_id": fuzzed.client_id}
    known_ids = {k: v for k, v in ids.items() if f"{{{k}}}" in operation.path}
    if known_ids and operation.method.upper() != "DELETE":  # also hit real rows (and keep them for later ops)
        strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=known_ids))

    @FUZZ
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        status, text, response = _send(lambda: case.call(session=fuzzed.session, headers=fuzzed.account.headers))
        _judge(operation.label, status, text, {"path": case.path_parameters, "query": case.query, "body": case.body})
        if response is not None:
            case.validate_response(response, checks=CHECKS)

    run()


def _body_operations(doc: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(method, path, property names) of every operation of the document that takes a JSON object."""
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:  # a body that may be left out (DELETE /spaces/{id}) is anyOf it and null
                ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
                name = ref.rsplit("/", 1)[-1]
                found.append((method.upper(), path, list(doc["components"]["schemas"][name]["properties"])))
    return found


@st.composite
def _hostile_body(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    return {name: draw(HOSTILE) for name in draw(st.lists(st.sampled_from(names), min_size=1, unique=True))}


def test_json_bodies_survive_hostile_values(fuzzed: Fuzzed) -> None:
    """Every JSON body of the document with wrong types, lone surrogates (sent as JSON escapes), huge strings and
    numbers and deep nesting in its fields: a 4xx, never a 5xx."""
    operations = _body_operations(fuzzed.schema.raw_schema)
    assert len(operations) >= 5
    each(operations, lambda op: f"{op[0]} {op[1]} (hostile)", lambda op: _fuzz_body(fuzzed, *op))


def _fuzz_body(fuzzed: Fuzzed, method: str, path: str, names: list[str]) -> None:
    url = path.replace("{memory_id}", fuzzed.memory_id).replace("{document_id}", fuzzed.document_id) \
        .replace("{space_id}", fuzzed.account.user_id)  # the personal space (which cannot be deleted)
    target = f"{method} {path} (hostile)"

    @FUZZ
    @example(body={"text": "x", "metadata": deep(900)})
    @example(body={"text": "x", "metadata": {"k": "\ud800"}})
    @example(body={"query": "x", "since": "\ud800"})
    @example(body={"ids": ["\ud800"]})  # was a 500 (test_rest.py::test_an_id_with_a_lone_surrogate_is_a_client_error)
    @given(body=_hostile_body(names))
    def run(body: dict[str, Any]) -> None:
        raw = dumps(body)
        status, text, _ = _send(lambda: fuzzed.session.request(method, url, data=raw, headers=fuzzed.account.headers
                                                               | {"Content-Type": "application/json"}))
        _judge(target, status, text, {"body": body})

    run()


def _form(fields: list[tuple[str, str]]) -> bytes:
    """urlencoded as a hostile client would send it: a lone surrogate becomes invalid UTF-8 bytes."""
    return "&".join(f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}"
                    for k, v in fields).encode("ascii")


OAUTH_FORM_FIELDS = {
    "/token": ["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret", "refresh_token",
               "resource", "scope"],
    "/revoke": ["token", "token_type_hint", "client_id", "client_secret"],
    "/introspect": ["token", "token_type_hint", "client_id", "client_secret"],
    "/authorize": ["response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state",
                   "scope", "resource", "prompt"],
    "/authorize/consent": ["request", "decision", "csrf_token"],
}
GOOD_VALUES = {"grant_type": ["authorization_code", "refresh_token", "client_credentials"],
               "response_type": ["code"], "code_challenge_method": ["S256", "plain"],
               "redirect_uri": [REDIRECT], "scope": ["memories:read memories:write", "openid"],
               "resource": ["http://testserver/mcp"], "code_challenge": ["a" * 43], "code_verifier": ["b" * 43],
               "decision": ["allow", "deny"], "token_type_hint": ["access_token", "refresh_token"]}


def _field_values(name: str, client_id: str) -> st.SearchStrategy[str]:
    good = GOOD_VALUES.get(name, []) + ([client_id] if name == "client_id" else [])
    return st.one_of(st.sampled_from(good), HOSTILE_TEXT) if good else HOSTILE_TEXT


@st.composite
def _oauth_form(draw: st.DrawFn, path: str, client_id: str) -> list[tuple[str, str]]:
    names = draw(st.lists(st.sampled_from(OAUTH_FORM_FIELDS[path] + ["unknown_field"]), max_size=8))
    return [(n, draw(_field_values(n, client_id))) for n in names]


@pytest.mark.parametrize(("method", "path"), [("POST", "/token"), ("POST", "/revoke"), ("POST", "/introspect"),
                                              ("GET", "/authorize"), ("POST", "/authorize"),
                                              ("GET", "/authorize/consent"), ("POST", "/authorize/consent")])
def test_oauth_forms_survive_fuzzing(fuzzed: Fuzzed, method: str, path: str) -> None:
    target = f"{method} {path}"

    @FUZZ
    @given(fields=_oauth_form(path, fuzzed.client_id), basic=st.one_of(st.none(), HOSTILE_TEXT))
    def run(fields: list[tuple[str, str]], basic: str | None) -> None:
        headers = {"Authorization": f"Basic {quote(basic, errors='surrogatepass')}"} if basic is not None else {}
        if method == "GET":
            status, text, _ = _send(lambda: fuzzed.session.get(f"{path}?{_form(fields).decode()}", headers=headers,
                                                               allow_redirects=False))
        else:
            status, text, _ = _send(lambda: fuzzed.session.post(path, data=_form(fields), allow_redirects=False,
                                                                headers=headers | {"Content-Type": FORM}))
        _judge(target, status, text, {"fields": fields, "basic": basic})
        assert status in (200, 302, 303, 400, 401, 403, 404, 413, 429) or status >= 500, status

    run()


REGISTRATION_FIELDS = ["redirect_uris", "client_name", "token_endpoint_auth_method", "grant_types", "response_types",
                       "scope", "client_uri", "logo_uri", "contacts", "tos_uri", "policy_uri", "jwks_uri", "jwks",
                       "software_id", "software_version"]


@st.composite
def _registration(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"redirect_uris": draw(st.one_of(st.just([REDIRECT]), HOSTILE))}
    for name in draw(st.lists(st.sampled_from(REGISTRATION_FIELDS), max_size=4, unique=True)):
        body[name] = draw(HOSTILE)
    return body


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_registration_survives_fuzzing(fuzzed: Fuzzed, method: str) -> None:
    target = f"{method} /register"
    first = fuzzed.session.post("/register", json={"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"})
    own = first.json()
    url = "/register" if method == "POST" else f"/register/{own['client_id']}"

    @FUZZ
    @example(body={"redirect_uris": [REDIRECT], "jwks": deep(900)})
    @example(body={"redirect_uris": [REDIRECT], "client_name": "\ud800"})
    @example(body={"redirect_uris": [REDIRECT], "contacts": ["x" * 70_000]})
    @given(body=_registration())
    def run(body: dict[str, Any]) -> None:
        raw = dumps(body)
        status, text, response = _send(lambda: fuzzed.session.request(method, url, data=raw, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {own['registration_access_token']}"}))
        _judge(target, status, text, {"body": body})
        assert response is None or status in (200, 201, 400, 401, 413, 429), status
        if response is not None and status >= 400:
            assert response.json()["error"] in ("invalid_client_metadata", "invalid_redirect_uri", "invalid_token",
                                                 "too_many_requests", "payload_too_large")

    run()

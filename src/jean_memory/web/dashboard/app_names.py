"""What the dashboard calls the app a memory or document came from: one naming for the App filter, the App
column, a memory's page and the documents, so the person never sees ``jmc_…`` or ``api-key:<hex>``.

A recorded client id is named after its OAuth client (``client_name``), its personal API key (``API key
“laptop”``) or a built-in source (``Dashboard``); an id that names nothing any more (a deleted key or client)
reads as ``an app that was removed``.

Only the user's own apps are named: their keys, the clients their memories came from, the client ids of records
of theirs the caller read (``owned``), and a client id from elsewhere (``asked``: the App filter's URL parameter)
only when the user has a grant for it. Naming any client id on request would tell every user the name of every
other user's apps.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...runtime import Runtime

BUILT_IN = {"dashboard": "Dashboard", "stdio": "Local (stdio)"}
REMOVED = "a removed app"
OPAQUE = ("jmc_", "api-key:")  # client ids this server mints: never shown


async def app_names(runtime: Runtime, user_id: str, owned: Iterable[str | None] = (),
                    asked: Iterable[str | None] = ()) -> dict[str, str]:
    """client id → name for every app the user's memories came from and every key of theirs; for ``owned`` (client
    ids read from this user's own memories and documents); and for ``asked`` ids the user has a grant for."""
    names = dict(BUILT_IN)
    names |= {f"api-key:{k.id}": f"API key “{k.name or k.prefix}”"
              for k in await runtime.stores.api_keys.list_keys(user_id)}
    for source in await runtime.memory.sources(user_id):
        if source.name:
            names[source.client_id] = source.name
    oauth = runtime.stores.oauth
    if oauth is None:
        return names
    owned_ids = {c for c in owned if c and c not in names}
    for client_id in owned_ids | {c for c in asked if c and c not in names}:
        if client_id not in owned_ids and await oauth.get_grant_scope(user_id, client_id) is None:
            continue
        client = await oauth.get_client(client_id)
        if client is not None and client.client_name:
            names[client_id] = client.client_name
    return names


def app_name(client_id: str | None, names: dict[str, str]) -> str:
    if not client_id:
        return "an unknown app"
    name = names.get(client_id)
    if name is not None:
        return name
    return REMOVED if client_id.startswith(OPAQUE) else client_id

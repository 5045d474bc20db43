"""The Spaces pages in-process: create, rename, delete (moving or deleting its memories), sharing (invite, accept,
decline, change a role, remove, cancel, leave), activity; CSRF on every form and bad input as HTML pages."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.runtime import Runtime
from jean_memory.spaces.resolve import reach_of_person
from tests.conftest import Account, make_account
from tests.web.helpers import page_csrf, post_form
from tests.web.spaces_helpers import browser_of, make_space, share

pytestmark = pytest.mark.anyio


def _id_of(location: str) -> str:
    found = re.match(r"/dashboard/spaces/([^?/]+)", location)
    assert found, location
    return found.group(1)


async def test_create_rename_and_delete_spaces(signed_in: httpx.AsyncClient, alice: Account,
                                               runtime: Runtime) -> None:
    c = signed_in
    r = await post_form(c, "/dashboard/spaces", "/dashboard/spaces", {"name": "  work  "})
    assert r.status_code == 303 and r.headers["location"].endswith("?notice=created")
    work = _id_of(r.headers["location"])
    page = (await c.get(r.headers["location"])).text
    assert "<h1>work</h1>" in page and "Space created." in page
    listing = (await c.get("/dashboard/spaces")).text
    assert f'href="/dashboard/spaces/{work}">work</a>' in listing and f'/dashboard/spaces/{alice.user_id}"' in listing

    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "The quarterly report is due Friday",
                                                                  "space": work})
    assert r.status_code == 303
    [memory] = (await runtime.memory.list(alice.user_id)).items
    assert memory.space_id == work

    r = await post_form(c, f"/dashboard/spaces/{work}", f"/dashboard/spaces/{work}/rename", {"name": "Office"})
    assert r.status_code == 303
    assert (await runtime.stores.spaces.get_space(work)).name == "Office"

    # Deleting asks first: where its memories go (personal by default) or whether they go with it.
    r = await post_form(c, f"/dashboard/spaces/{work}", f"/dashboard/spaces/{work}/delete", {})
    assert r.status_code == 200 and "It holds 1 memory" in r.text and 'name="move_to"' in r.text
    assert re.search(rf'<option value="{alice.user_id}" selected>move them to personal</option>', r.text)
    assert await runtime.stores.spaces.get_space(work) is not None
    r = await post_form(c, f"/dashboard/spaces/{work}", f"/dashboard/spaces/{work}/delete",
                        {"confirm": "yes", "move_to": alice.user_id})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/spaces?notice=deleted"
    assert await runtime.stores.spaces.get_space(work) is None
    [moved] = (await runtime.memory.list(alice.user_id)).items
    assert moved.text == memory.text and moved.space_id == alice.user_id

    health = (await make_space(runtime, alice, "health")).id
    await runtime.memory.add(await reach_of_person(runtime.stores, alice.user_id), "Allergic to penicillin",
                             space=health)
    r = await post_form(c, f"/dashboard/spaces/{health}", f"/dashboard/spaces/{health}/delete",
                        {"confirm": "yes", "move_to": ""})
    assert r.status_code == 303
    assert [m.text for m in (await runtime.memory.list(alice.user_id)).items] == [memory.text]


async def test_bad_names_the_personal_space_and_spaces_out_of_reach(signed_in: httpx.AsyncClient, alice: Account,
                                                                    bob: Account, runtime: Runtime) -> None:
    c = signed_in
    await make_space(runtime, alice, "Work")
    for name, status in (("   ", 400), ("x" * 61, 400), ("work", 409)):
        r = await post_form(c, "/dashboard/spaces", "/dashboard/spaces", {"name": name})
        assert r.status_code == status and "text/html" in r.headers["content-type"], (name, r.status_code)
        assert 'role="alert"' in r.text and "Create a space" in r.text  # the Spaces page again, with the error
    assert [s.name for s in await runtime.stores.spaces.spaces_of(alice.user_id)] == ["personal", "Work"]

    personal = alice.user_id
    r = await post_form(c, "/dashboard/spaces", f"/dashboard/spaces/{personal}/delete", {})
    assert r.status_code == 400 and "cannot be deleted" in r.text
    r = await post_form(c, "/dashboard/spaces", f"/dashboard/spaces/{personal}/delete", {"confirm": "yes"})
    assert r.status_code == 400 and await runtime.stores.spaces.get_space(personal) is not None
    r = await post_form(c, "/dashboard/spaces", f"/dashboard/spaces/{personal}/rename", {"name": ""})
    assert r.status_code == 400 and 'role="alert"' in r.text
    work = next(s for s in await runtime.stores.spaces.spaces_of(alice.user_id) if s.name == "Work")
    r = await post_form(c, "/dashboard/spaces", f"/dashboard/spaces/{work.id}/delete",
                        {"confirm": "yes", "move_to": work.id})
    assert r.status_code == 400 and await runtime.stores.spaces.get_space(work.id) is not None

    secret = await make_space(runtime, bob, "bob's plans")
    assert (await c.get(f"/dashboard/spaces/{secret.id}")).status_code == 404
    assert (await c.get("/dashboard/spaces/no-such-space")).status_code == 404
    for action, data in (("rename", {"name": "mine now"}), ("delete", {"confirm": "yes"}),
                         ("members", {"email": alice.email, "role": "writer"})):
        r = await post_form(c, "/dashboard/spaces", f"/dashboard/spaces/{secret.id}/{action}", data)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"], action
    assert (await runtime.stores.spaces.get_space(secret.id)).name == "bob's plans"
    assert await runtime.stores.spaces.members(secret.id) == []


async def test_every_spaces_form_needs_the_csrf_token(signed_in: httpx.AsyncClient, app: FastAPI, alice: Account,
                                                     bob: Account, runtime: Runtime) -> None:
    home = await make_space(runtime, alice, "home")
    bobs = await make_space(runtime, bob, "garden")
    async with browser_of(app, bob) as b:
        await post_form(b, "/dashboard/spaces", f"/dashboard/spaces/{bobs.id}/members",
                        {"email": alice.email, "role": "reader"})
    [invitation] = await runtime.stores.spaces.invitations_for(alice.email)
    forms = [("/dashboard/spaces", {"name": "planted"}),
             (f"/dashboard/spaces/{home.id}/rename", {"name": "planted"}),
             (f"/dashboard/spaces/{home.id}/delete", {"confirm": "yes", "move_to": ""}),
             (f"/dashboard/spaces/{home.id}/members", {"email": bob.email, "role": "writer"}),
             (f"/dashboard/spaces/{home.id}/members/remove", {"email": bob.email}),
             (f"/dashboard/invitations/{invitation.id}/accept", {}),
             (f"/dashboard/invitations/{invitation.id}/decline", {}),
             (f"/dashboard/spaces/{bobs.id}/leave", {})]
    for action, data in forms:
        for token in ({}, {"csrf_token": "0" * 64}):
            r = await signed_in.post(action, data=data | token)
            assert r.status_code == 403 and "text/html" in r.headers["content-type"], action
    assert [s.name for s in await runtime.stores.spaces.spaces_of(alice.user_id)] == ["personal", "home"]
    assert await runtime.stores.spaces.invitations(home.id) == []
    assert [i.id for i in await runtime.stores.spaces.invitations_for(alice.email)] == [invitation.id]


async def test_invite_accept_change_role_activity_and_remove(signed_in: httpx.AsyncClient, app: FastAPI,
                                                             alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    home = (await make_space(runtime, alice, "home")).id
    r = await post_form(c, f"/dashboard/spaces/{home}", f"/dashboard/spaces/{home}/members",
                        {"email": " Bob@Example.com ", "role": "reader"})
    assert r.status_code == 303 and r.headers["location"] == f"/dashboard/spaces/{home}?notice=invited"
    page = (await c.get(f"/dashboard/spaces/{home}")).text
    assert "Invited, not answered yet" in page and "bob@example.com" in page
    assert await runtime.stores.spaces.members(home) == []

    async with browser_of(app, bob) as b:
        assert "1 invitation to a shared space" in (await b.get("/dashboard")).text
        spaces_page = (await b.get("/dashboard/spaces")).text
        assert "alice@example.com</strong> invites you to the space <strong>home</strong> as reader" in spaces_page
        [invitation] = await runtime.stores.spaces.invitations_for(bob.email)
        r = await post_form(b, "/dashboard/spaces", f"/dashboard/invitations/{invitation.id}/accept", {})
        assert r.status_code == 303 and r.headers["location"] == f"/dashboard/spaces/{home}?notice=accepted"
        listing = (await b.get("/dashboard/spaces")).text
        assert re.search(rf'href="/dashboard/spaces/{home}">home</a></td>\s*<td>alice@example.com</td>\s*'
                         r"<td>reader</td>", listing)
        assert "invites you" not in listing and "invitation to a shared space" not in (await b.get("/dashboard")).text
        # A reader's add to the space is refused, naming it; nothing is stored.
        r = await post_form(b, "/dashboard", "/dashboard/memories", {"text": "Water the ferns", "space": home})
        assert r.status_code == 403 and "home" in r.text
        assert await runtime.memory.count(alice.user_id) == 0

        r = await post_form(c, f"/dashboard/spaces/{home}", f"/dashboard/spaces/{home}/members",
                            {"email": bob.email, "role": "writer"})
        assert r.status_code == 303 and r.headers["location"].endswith("notice=role")
        assert [(m.email, m.role) for m in await runtime.stores.spaces.members(home)] == [(bob.email, "writer")]
        r = await post_form(b, "/dashboard", "/dashboard/memories", {"text": "Water the ferns on Sundays",
                                                                      "space": home})
        assert r.status_code == 303
        [fern] = (await runtime.memory.list(alice.user_id)).items
        assert fern.space_id == home and fern.author_id == bob.user_id
        activity = (await c.get(f"/dashboard/spaces/{home}")).text
        assert re.search(r"<td>bob@example.com</td>\s*<td>added “Water the ferns on Sundays”</td>", activity)
        assert "Members" in activity and re.search(r'<option value="writer" selected>', activity)

        r = await post_form(c, f"/dashboard/spaces/{home}", f"/dashboard/spaces/{home}/members/remove",
                            {"email": bob.email})
        assert r.status_code == 303 and r.headers["location"].endswith("notice=removed")
        assert (await b.get(f"/dashboard/spaces/{home}")).status_code == 404
        assert "Water the ferns" not in (await b.get("/dashboard")).text


async def test_decline_cancel_leave_and_bad_sharing_input(signed_in: httpx.AsyncClient, app: FastAPI,
                                                         alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    home = await make_space(runtime, alice, "home")
    page = f"/dashboard/spaces/{home.id}"
    for data, status, words in (({"email": "not-an-address", "role": "reader"}, 400, "email must be"),
                                ({"email": bob.email, "role": "admin"}, 400, "role must be"),
                                ({"email": alice.email, "role": "reader"}, 400, "you own this space")):
        r = await post_form(c, page, f"{page}/members", data)
        assert r.status_code == status and words in r.text and 'role="alert"' in r.text, data
    assert await runtime.stores.spaces.invitations(home.id) == []

    carol = await make_account(runtime, "carol@example.com")
    await post_form(c, page, f"{page}/members", {"email": "dave@example.com", "role": "writer"})
    r = await post_form(c, page, f"{page}/members/remove", {"email": "dave@example.com", "invitation": "yes"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=cancelled")
    assert await runtime.stores.spaces.invitations(home.id) == []
    r = await post_form(c, page, f"{page}/members/remove", {"email": "nobody@example.com"})
    assert r.status_code == 404

    await post_form(c, page, f"{page}/members", {"email": carol.email, "role": "reader"})
    async with browser_of(app, carol) as cb:
        [invitation] = await runtime.stores.spaces.invitations_for(carol.email)
        for bad in (f"/dashboard/invitations/{invitation.id}/maybe", "/dashboard/invitations/no-such-id/accept"):
            r = await post_form(cb, "/dashboard/spaces", bad, {})
            assert r.status_code in (400, 404) and "text/html" in r.headers["content-type"], bad
        r = await post_form(cb, "/dashboard/spaces", f"/dashboard/invitations/{invitation.id}/decline", {})
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/spaces?notice=declined"
        assert await runtime.stores.spaces.members(home.id) == []
        assert (await cb.get(page)).status_code == 404

    await share(runtime, alice, home, bob, "reader")
    async with browser_of(app, bob) as b:
        shown = (await b.get(page)).text
        assert "Leave" in shown and "Invite someone" not in shown and "Delete this space" not in shown
        r = await post_form(b, page, f"{page}/members/remove", {"email": alice.email})
        assert r.status_code == 403
        r = await post_form(b, page, f"{page}/members", {"email": carol.email, "role": "reader"})
        assert r.status_code == 403
        r = await post_form(b, page, f"{page}/leave", {})
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/spaces?notice=left"
        assert await runtime.stores.spaces.members(home.id) == []
        assert (await b.get(page)).status_code == 404
    token = await page_csrf(c, page)
    r = await c.post(f"{page}/leave", data={"csrf_token": token})
    assert r.status_code == 400 and "owner cannot leave" in r.text

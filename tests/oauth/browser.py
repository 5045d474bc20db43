"""A person at a browser, over HTTP: follow /authorize to the login form, sign in, press Allow or Deny.

Returns the final redirect to the client's redirect URI (never followed: it belongs to the client).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx

_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    return {name: value.replace("&amp;", "&") for name, value in _HIDDEN.findall(html)}


async def approve(http: httpx.AsyncClient, authorize_url: str, email: str, password: str,
                  decision: str = "allow", max_hops: int = 10) -> str:
    """Drive the site from ``authorize_url`` until it redirects off-site; return that Location."""
    origin = f"{urlsplit(str(http.base_url)).scheme}://{urlsplit(str(http.base_url)).netloc}"
    url = urljoin(origin + "/", authorize_url)
    for _ in range(max_hops):
        response = await http.get(url)
        if response.status_code in (302, 303):
            location = urljoin(url, response.headers["location"])
            if not location.startswith(origin):
                return location
            url = location
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        fields = hidden_fields(response.text)
        if 'name="password"' in response.text:
            posted = await http.post(urljoin(url, "/login"), data=fields | {"email": email, "password": password})
        else:
            assert 'name="decision"' in response.text, response.text[:500]
            posted = await http.post(urljoin(url, "/authorize/consent"), data=fields | {"decision": decision})
        assert posted.status_code in (302, 303), (posted.status_code, posted.text[:500])
        location = urljoin(url, posted.headers["location"])
        if not location.startswith(origin):
            return location
        url = location
    raise AssertionError("too many redirects")

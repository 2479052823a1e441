"""A browser's session in the web workspace without a browser: httpx with the login form's cookies.

The API tests' real server also serves the web pages; these helpers sign a sample user in
through the login form (pre-login cookie and CSRF token, as a browser does) and read the
CSRF token a page's forms must carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from api_support import Api

from mediation.demo.sample_county import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: httpx.Client, path: str) -> str:
    """The CSRF token of the forms on the page at `path`."""
    page = client.get(path)
    assert page.status_code == 200, f"{path}: {page.status_code}"
    found = _CSRF.search(page.text)
    assert found, f"{path} has no CSRF token"
    return found.group(1)


def anonymous_browser(api: Api) -> httpx.Client:
    """A client that keeps cookies and does not follow redirects, like a test of each answer."""
    return httpx.Client(base_url=api.base_url, follow_redirects=False, timeout=30.0)


@contextmanager
def signed_in(api: Api, username: str) -> Iterator[httpx.Client]:
    """A browser session of `username`, signed in through the login form."""
    with anonymous_browser(api) as client:
        answer = client.post("/login", data={"csrf_token": csrf_of(client, "/login"), "username": username,
                                              "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
        yield client

"""Authentication: tokens, wrong passwords, lock-out per username, missing/forged/expired tokens."""

from __future__ import annotations

import time

import jwt
import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

PROTECTED = (
    ("GET", "/api/v1/cases"),
    ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{case}"),
    ("POST", "/api/v1/cases/{case}/transitions"),
    ("GET", "/api/v1/cases/{case}/events"),
    ("GET", "/api/v1/workflows"),
    ("GET", "/api/v1/workflows/mediation"),
)


def _claims(api: Api, username: str, **changes) -> dict:
    claims = jwt.decode(api.token(username), options={"verify_signature": False})
    return {**claims, **changes}


def _call(api: Api, method: str, path: str, token: str | None = None, *, raw_header: str | None = None):
    headers = {}
    if raw_header is not None:
        headers["Authorization"] = raw_header
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    case = api.cases["own_in_session"]
    body = {"trigger": "adjourn", "expected_version": api.version(case), "data": {}} if method == "POST" else None
    return api.anonymous().request(method, path.format(case=case), headers=headers, json=body)


def test_token_is_issued_for_the_right_password(api: Api) -> None:
    response = api.login("mediator1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert body["expires_in"] > 0
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] > time.time()
    listed = api.anonymous().get("/api/v1/cases", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status_code == 200, listed.text


def test_wrong_password_and_unknown_user_are_401_alike(api: Api) -> None:
    wrong = assert_error(api.login("mediator2", "not-the-password"), 401)
    unknown = assert_error(api.login("no_such_user", "not-the-password"), 401)
    assert wrong["detail"] == unknown["detail"]  # no user enumeration


def test_logins_are_limited_per_username(api: Api) -> None:
    for _ in range(5):
        assert_error(api.login("lockout_user", "wrong-password"), 401)
    body = assert_error(api.login("lockout_user", "wrong-password"), 429)
    assert "username" in str(body["extra"]) or "user" in body["detail"]
    # Locked even with the right password now; other users are not affected.
    assert_error(api.login("lockout_user"), 429)
    assert api.login("mediator2").status_code == 200


@pytest.mark.parametrize("method,path", PROTECTED)
def test_a_token_is_required(api: Api, method: str, path: str) -> None:
    response = _call(api, method, path)
    assert_error(response, 401)
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer  x", "Bearer not-a-jwt", "Bearer a.b.c", "bearer eyJhbGciOiJIUzI1NiJ9.e30.", "Basic bWVkaWF0b3IxOm1lZGlhdGlvbi1kZW1v",
    "Token abc", "Bearer " + "x" * 5000,
])
@pytest.mark.parametrize("method,path", PROTECTED[:4])
def test_malformed_tokens_are_401(api: Api, method: str, path: str, header: str) -> None:
    assert_error(_call(api, method, path, raw_header=header), 401)


def test_forged_tokens_are_401(api: Api) -> None:
    other_secret = jwt.encode(_claims(api, "supervisor1"), "another-secret-" + "x" * 40, algorithm="HS256")
    unsigned = jwt.encode(_claims(api, "supervisor1"), None, algorithm="none")
    resigned_payload = api.token("grid1").rsplit(".", 1)[0] + "." + api.token("supervisor1").rsplit(".", 1)[1]
    for token in (other_secret, unsigned, resigned_payload):
        for method, path in PROTECTED:
            assert_error(_call(api, method, path, token), 401)


def test_expired_tokens_are_401(api: Api) -> None:
    secret = api.jwt_secret()
    now = int(time.time())
    valid = jwt.encode(_claims(api, "supervisor1", iat=now - 60, exp=now + 600), secret, algorithm="HS256")
    assert _call(api, "GET", "/api/v1/cases", valid).status_code == 200  # the secret is the server's
    expired = jwt.encode(_claims(api, "supervisor1", iat=now - 7200, exp=now - 60), secret, algorithm="HS256")
    for method, path in PROTECTED:
        assert_error(_call(api, method, path, expired), 401)


def test_tokens_for_no_user_or_without_expiry_are_401(api: Api) -> None:
    secret = api.jwt_secret()
    exp = int(time.time()) + 600
    for claims in ({"sub": "999999", "exp": exp}, {"sub": "mediator1", "exp": exp}, {"sub": "0", "exp": exp},
                   {"sub": str(2**40), "exp": exp}, {"exp": exp}, {"sub": "1"}):
        token = jwt.encode(claims, secret, algorithm="HS256")
        assert_error(_call(api, "GET", "/api/v1/cases", token), 401)


@pytest.mark.parametrize("path", ["/health", "/schema/openapi.json", "/schema"])
def test_health_and_schema_need_no_token(api: Api, path: str) -> None:
    response = api.anonymous().get(path)
    assert response.status_code == 200, response.text

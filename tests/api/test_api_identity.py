"""Identity (issue 11 items 1, 2, 4 and 6): a token names one user for ever and ends at once.

Against real servers: the session's `mediation serve` and, for "every process", a second one
on the same database. Users are made and removed in the database as an administrator would
(`create_user`, the CLI, a DELETE); failed logins come from their own loopback addresses
(127.0.0.x) so the address-wide limit of the other tests' 127.0.0.1 is not touched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import jwt
import pytest
import sqlalchemy as sa
from api_support import Api, ServerProcess, assert_error
from typer.testing import CliRunner

from mediation.cli import app as cli_app
from mediation.clock import utcnow
from mediation.demo.sample_county import PASSWORD, SampleCounty
from mediation.directory.accounts import create_user

pytestmark = pytest.mark.usefixtures("no_server_errors")

COUNTY = SampleCounty()
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def second_server(api: Api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Another `mediation serve` process on the session's database."""
    server = ServerProcess(api.db.url, tmp_path_factory.mktemp("second") / "server.log")
    try:
        yield server
    finally:
        log = server.log()
        server.stop()
        assert "Traceback" not in log and "unhandled error" not in log, log


def _user(api: Api, username: str, roles: tuple[str, ...] = ("grid_worker",), unit: str = COUNTY.grid) -> int:
    return create_user(api.db, username=username, password=PASSWORD, roles=list(roles), unit=unit)


def _execute(api: Api, sql: str, **params) -> None:
    with api.db.begin() as connection:
        connection.execute(sa.text(sql), params)


def _cases(base_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{base_url}/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, timeout=30.0)


def _token(api: Api, username: str) -> str:
    response = api.login(username)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _cli(api: Api, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", api.db.url)
    return CliRunner().invoke(cli_app, list(args))


@contextmanager
def _from_address(base_url: str, address: str) -> Iterator[httpx.Client]:
    """A client whose connections leave from `address` (any 127.0.0.x reaches the server)."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base_url, transport=transport, timeout=30.0, follow_redirects=False) as client:
        yield client


def _log_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


@contextmanager
def _browser(base_url: str, username: str) -> Iterator[httpx.Client]:
    """A web session signed in through the login form, as a browser does."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30.0) as client:
        form = client.get("/login")
        answer = client.post("/login", data={"csrf_token": _CSRF.search(form.text).group(1), "username": username,
                                              "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
        yield client


def _copy(session: str, base_url: str) -> httpx.Client:
    """Another client on `base_url` holding a copy of the session cookie."""
    return httpx.Client(base_url=base_url, cookies={"mediation_session": session}, follow_redirects=False,
                        timeout=30.0)


# --------------------------------------------------------------------------- item 1: ids and tokens


def test_a_deleted_users_token_never_acts_as_the_next_user(api: Api) -> None:
    gone = _user(api, "identity_gone")
    token = _token(api, "identity_gone")
    assert _cases(api.base_url, token).status_code == 200
    _execute(api, "DELETE FROM users WHERE id = :id", id=gone)
    successor = _user(api, "identity_next", roles=("supervisor",), unit=COUNTY.county)
    assert successor != gone  # an id is never given twice (SQLite AUTOINCREMENT, PostgreSQL's sequence)
    assert_error(_cases(api.base_url, token), 401)
    assert _cases(api.base_url, _token(api, "identity_next")).status_code == 200


def test_a_token_names_its_user_even_when_the_id_comes_back(api: Api) -> None:
    """A row that takes an old id (a restore, a hand-made fix) is another user: the old token ends."""
    gone = _user(api, "identity_restored")
    token = _token(api, "identity_restored")
    _execute(api, "DELETE FROM users WHERE id = :id", id=gone)
    other = _user(api, "identity_other", roles=("supervisor",), unit=COUNTY.county)
    _execute(api, "UPDATE users SET id = :old WHERE id = :new", old=gone, new=other)
    assert_error(_cases(api.base_url, token), 401)
    assert _cases(api.base_url, _token(api, "identity_other")).status_code == 200


# --------------------------------------------------------------------------- item 2: at once, in every process


def test_logout_ends_the_session_at_once_in_every_process(api: Api, second_server: ServerProcess) -> None:
    _user(api, "identity_logout", roles=("mediator",))
    bearer = _token(api, "identity_logout")
    with _browser(api.base_url, "identity_logout") as browser:
        session = browser.cookies["mediation_session"]
        with _copy(session, second_server.base_url) as copied:
            assert copied.get("/").status_code == 200  # the second process knows the session now
        assert _cases(second_server.base_url, bearer).status_code == 200
        logout = browser.post("/logout", data={"csrf_token": _CSRF.search(browser.get("/").text).group(1)})
        assert logout.status_code == 303 and logout.headers["location"] == "/login"
        for base_url in (api.base_url, second_server.base_url):
            with _copy(session, base_url) as stolen:
                answer = stolen.get("/")
                assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), base_url
            assert_error(_cases(base_url, bearer), 401)  # every token of the user ends with the sign-out
    assert _cases(second_server.base_url, _token(api, "identity_logout")).status_code == 200  # a new login works


def test_disabling_in_the_database_ends_tokens_at_once_in_every_process(api: Api, second_server: ServerProcess) -> None:
    user = _user(api, "identity_disabled_sql")
    token = _token(api, "identity_disabled_sql")
    for base_url in (api.base_url, second_server.base_url):
        assert _cases(base_url, token).status_code == 200
    _execute(api, "UPDATE users SET active = :no WHERE id = :id", no=False, id=user)
    for base_url in (api.base_url, second_server.base_url):
        assert_error(_cases(base_url, token), 401)


def test_users_disable_and_enable_from_the_command_line(api: Api, second_server: ServerProcess,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _user(api, "identity_disabled")
    token = _token(api, "identity_disabled")
    for base_url in (api.base_url, second_server.base_url):
        assert _cases(base_url, token).status_code == 200
    result = _cli(api, monkeypatch, "users", "disable", "identity_disabled")
    assert result.exit_code == 0 and "identity_disabled" in result.output, result.output
    for base_url in (api.base_url, second_server.base_url):
        assert_error(_cases(base_url, token), 401)
    assert_error(api.login("identity_disabled"), 401)
    result = _cli(api, monkeypatch, "users", "enable", "identity_disabled")
    assert result.exit_code == 0, result.output
    assert_error(_cases(second_server.base_url, token), 401)  # enabling again does not bring old tokens back
    assert _cases(second_server.base_url, _token(api, "identity_disabled")).status_code == 200
    unknown = _cli(api, monkeypatch, "users", "disable", "no_such_user")
    assert unknown.exit_code == 1 and "no_such_user" in unknown.output


# --------------------------------------------------------------------------- item 6: ids beyond the integer range


@pytest.mark.parametrize("sub", ["1" * 31, str(2**31), str(2**63), str(2**64), "-1", "+1", " 1", "1_0", "１", "١", ""])
def test_a_token_naming_an_impossible_user_id_is_401(api: Api, sub: str) -> None:
    claims = {**jwt.decode(api.token("mediator1"), options={"verify_signature": False}), "sub": sub}
    token = jwt.encode(claims, api.jwt_secret(), algorithm="HS256")
    assert_error(_cases(api.base_url, token), 401)
    page = httpx.get(f"{api.base_url}/", cookies={"mediation_session": token}, follow_redirects=False, timeout=30.0)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


# --------------------------------------------------------------------------- item 4: login limits


def _fail_logins(base_url: str, address: str, username: str, count: int) -> None:
    with _from_address(base_url, address) as client:
        for _ in range(count):
            assert_error(_log_in(client, username, "wrong-password"), 401)


def _retry_after(response: httpx.Response) -> int:
    assert_error(response, 429)
    return int(response.headers["retry-after"])


def test_wrong_passwords_slow_down_one_username_from_one_address_only(api: Api) -> None:
    _user(api, "identity_slowed", roles=("mediator",))
    _fail_logins(api.base_url, "127.0.0.11", "identity_slowed", 5)
    with _from_address(api.base_url, "127.0.0.11") as attacker:
        refused = _log_in(attacker, "identity_slowed", PASSWORD)  # even the right password waits now
        assert 0 < _retry_after(refused) <= 15
        assert refused.json()["extra"]["field"] == "username"
        assert _log_in(attacker, "mediator2", PASSWORD).status_code == 200  # another user from that address
    with _from_address(api.base_url, "127.0.0.12") as owner:
        assert _log_in(owner, "identity_slowed", PASSWORD).status_code == 200  # the owner elsewhere is not locked out


def _record_failure(api: Api, username: str, address: str, *, seconds_ago: float) -> None:
    _execute(api, "INSERT INTO login_attempts (username, address, at) VALUES (:u, :a, :at)",
             u=username, a=address, at=utcnow() - timedelta(seconds=seconds_ago))


def test_the_wait_grows_with_each_failure_and_a_right_password_forgives(api: Api) -> None:
    user, address = "identity_waits", "127.0.0.13"
    _user(api, user, roles=("mediator",))
    for seconds_ago in (300, 200, 100, 60, 40):  # failures made earlier, as the server records them
        _record_failure(api, user, address, seconds_ago=seconds_ago)
    with _from_address(api.base_url, address) as client:
        assert _log_in(client, user, PASSWORD).status_code == 200  # 5 failures: 15 s after the last, long past
    _fail_logins(api.base_url, address, user, 1)  # the owner got in: the earlier typos are forgiven
    with _from_address(api.base_url, address) as client:
        assert _log_in(client, user, PASSWORD).status_code == 200
    for seconds_ago in (500, 400, 300, 200, 100):
        _record_failure(api, user, address, seconds_ago=seconds_ago)
    for failures, wait in ((6, 30), (7, 60)):  # each failure doubles the wait after it
        _record_failure(api, user, address, seconds_ago=10)
        with _from_address(api.base_url, address) as client:
            assert wait - 15 <= _retry_after(_log_in(client, user, PASSWORD)) <= wait - 10, failures


def test_an_administrator_unlocks_a_username(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _user(api, "identity_unlocked", roles=("mediator",))
    _fail_logins(api.base_url, "127.0.0.14", "identity_unlocked", 5)
    with _from_address(api.base_url, "127.0.0.14") as client:
        _retry_after(_log_in(client, "identity_unlocked", PASSWORD))
        result = _cli(api, monkeypatch, "users", "unlock", "identity_unlocked")
        assert result.exit_code == 0 and "identity_unlocked" in result.output, result.output
        assert _log_in(client, "identity_unlocked", PASSWORD).status_code == 200
    unknown = _cli(api, monkeypatch, "users", "unlock", "no_such_user")
    assert unknown.exit_code == 1 and "no_such_user" in unknown.output


def test_the_login_page_says_how_long_to_wait(api: Api) -> None:
    _user(api, "identity_web_wait", roles=("mediator",))
    address = "127.0.0.15"
    with _from_address(api.base_url, address) as browser:
        for expected in (401, 401, 401, 401, 401, 429):
            form = browser.get("/login")
            answer = browser.post("/login", data={"csrf_token": _CSRF.search(form.text).group(1),
                                                  "username": "identity_web_wait", "password": "wrong-password"})
            assert answer.status_code == expected, answer.text
    assert 0 < int(answer.headers["retry-after"]) <= 15
    assert "失败次数过多" in answer.text and "1 分钟后再试" in answer.text


def test_waiting_out_the_first_delay_lets_the_owner_in(api: Api) -> None:
    _user(api, "identity_patient", roles=("mediator",))
    _fail_logins(api.base_url, "127.0.0.16", "identity_patient", 5)
    with _from_address(api.base_url, "127.0.0.16") as client:
        wait = _retry_after(_log_in(client, "identity_patient", PASSWORD))
        time.sleep(wait + 0.5)
        assert _log_in(client, "identity_patient", PASSWORD).status_code == 200

"""Attachments through the real server (DESIGN §9.2, §9.9): upload, list, download, and what is refused.

Each test files cases of its own (through the engine, in the test process) on the session's server.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy as sa
from api_support import Api, assert_error
from attachment_samples import BOUNDARY, SAMPLES, gif_bytes, multipart_pieces, pdf_bytes

MAX_BYTES = 20 * 1024 * 1024  # policy attachments.max_bytes as shipped
pytestmark = pytest.mark.usefixtures("no_server_errors")


def upload(client: httpx.Client, case_id: int, content: bytes, *, kind: str = "evidence",
           file_name: str = "证据.pdf", description: str | None = None, headers: dict | None = None) -> httpx.Response:
    data = {"kind": kind} if description is None else {"kind": kind, "description": description}
    return client.post(f"/api/v1/cases/{case_id}/attachments", data=data,
                       files={"file": (file_name, content, "application/octet-stream")}, headers=headers or {})


def stored_counts(api: Api, case_id: int) -> tuple[int, int, int]:
    """(attachments, chunks, events) of the case as stored."""
    with api.db.read() as connection:
        attachments = connection.execute(sa.text("SELECT count(*) FROM attachments WHERE case_id = :id"),
                                         {"id": case_id}).scalar_one()
        chunks = connection.execute(sa.text(
            "SELECT count(*) FROM attachment_chunks WHERE attachment_id IN "
            "(SELECT id FROM attachments WHERE case_id = :id)"), {"id": case_id}).scalar_one()
    return attachments, chunks, api.event_count(case_id)


@pytest.fixture
def case_id(api: Api) -> int:
    """A case of 瓯北's grid assigned to mediator1 (who sees unmasked numbers on it)."""
    return api.new_case("mediation.assigned")


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_each_accepted_type_is_stored_and_served_as_sent(api: Api, case_id: int, sample: str) -> None:
    content, content_type, file_name = SAMPLES[sample]
    mediator = api.as_user("mediator1")
    response = upload(mediator, case_id, content, kind="evidence", file_name=file_name, description="双方签字的证据")
    assert response.status_code == 201, response.text
    view = response.json()
    sha256 = hashlib.sha256(content).hexdigest()
    assert view["content_type"] == content_type and view["size_bytes"] == len(content)
    assert view["sha256"] == sha256 and view["file_name"] == file_name and view["case_id"] == case_id
    assert view["kind"] == "evidence" and view["description"] == "双方签字的证据"
    assert view["uploaded_by"] == "林调解" and view["created_at"].endswith("Z")
    assert response.headers["etag"] == f'"{sha256}"'

    download = api.as_user("grid1").get(f"/api/v1/cases/{case_id}/attachments/{view['id']}")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"].startswith(content_type)
    assert download.headers["etag"] == f'"{sha256}"'
    assert f"filename*=UTF-8''{quote(file_name, safe='')}" in download.headers["content-disposition"]
    again = api.as_user("grid1").get(f"/api/v1/cases/{case_id}/attachments/{view['id']}",
                                     headers={"If-None-Match": f'"{sha256}"'})
    assert again.status_code == 304 and again.content == b""


def test_the_event_carries_the_files_hash_into_the_chain(api: Api, case_id: int) -> None:
    content = pdf_bytes()
    version = api.version(case_id)
    view = upload(api.as_user("mediator1"), case_id, content, file_name="协议.pdf").json()
    events = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/events").json()
    last = events[-1]
    assert last["trigger"] == "attach" and last["from_state"] == last["to_state"] == "mediation.assigned"
    assert last["data"] == {"kind": "evidence", "attachment_id": view["id"], "file_name": "协议.pdf",
                            "content_type": "application/pdf", "size_bytes": len(content),
                            "sha256": hashlib.sha256(content).hexdigest()}
    assert api.version(case_id) == version + 1


def test_the_list_holds_the_files_in_the_order_added(api: Api, case_id: int) -> None:
    mediator = api.as_user("mediator1")
    ids = [upload(mediator, case_id, SAMPLES[name][0], kind=kind, file_name=SAMPLES[name][2]).json()["id"]
           for name, kind in (("png", "photo"), ("pdf", "signed_agreement"), ("mp3", "audio"))]
    listed = api.as_user("police1").get(f"/api/v1/cases/{case_id}/attachments")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == ids
    assert [item["kind"] for item in listed.json()] == ["photo", "signed_agreement", "audio"]


@pytest.mark.parametrize(("content", "file_name"), [
    (gif_bytes(), "照片.png"),                              # a GIF, whatever its name says
    ("这是一段文字，不是文件。".encode(), "说明.pdf"),
    (b"PK\x03\x04" + b"\x00" * 100, "archive.pdf"),        # a ZIP
])
def test_a_type_not_accepted_is_refused_naming_file_and_the_types(api: Api, case_id: int, content: bytes,
                                                                  file_name: str) -> None:
    before = stored_counts(api, case_id)
    body = assert_error(upload(api.as_user("mediator1"), case_id, content, file_name=file_name), 422)
    assert body["extra"]["field"] == "file" and body["extra"]["accepted"] == ["PDF", "JPEG", "PNG", "MP3", "M4A"]
    assert "PDF, JPEG, PNG, MP3, M4A" in body["detail"]
    assert stored_counts(api, case_id) == before


def test_an_empty_file_is_refused(api: Api, case_id: int) -> None:
    body = assert_error(upload(api.as_user("mediator1"), case_id, b""), 422)
    assert body["extra"] == {"field": "file", "reason": "is empty", "code": "empty_file",
                             "reasons": {"en": "is empty", "zh": "文件为空"}}


def test_a_file_over_the_policys_cap_is_413_naming_the_limit(api: Api, case_id: int) -> None:
    before = stored_counts(api, case_id)
    too_large = pdf_bytes(padding=MAX_BYTES)  # announced by Content-Length: refused before it is read
    body = assert_error(upload(api.as_user("mediator1"), case_id, too_large), 413)
    assert body["extra"] == {"field": "file", "limit_bytes": MAX_BYTES} and "20 MiB" in body["detail"]
    # Sent chunked (no Content-Length): counted as it streams in, refused when the cap is passed.
    head = pdf_bytes()
    pieces = multipart_pieces({"kind": "evidence"}, "大.pdf",
                              iter([head] + [b"\x00" * (1024 * 1024)] * 21))
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/attachments", content=pieces,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert assert_error(response, 413)["extra"]["limit_bytes"] == MAX_BYTES
    assert stored_counts(api, case_id) == before


def test_a_file_just_under_the_cap_is_stored_in_chunks(api: Api, case_id: int) -> None:
    content = pdf_bytes(padding=MAX_BYTES - 1000)
    response = upload(api.as_user("mediator1"), case_id, content)
    assert response.status_code == 201, response.text
    assert stored_counts(api, case_id)[:2] == (1, -(-len(content) // (256 * 1024)))
    download = api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/attachments/{response.json()['id']}")
    assert hashlib.sha256(download.content).hexdigest() == response.json()["sha256"]


def test_the_fields_may_come_in_any_order(api: Api, case_id: int) -> None:
    pieces = multipart_pieces({"kind": "photo", "description": "先传文件"}, "后.png", iter([SAMPLES["png"][0]]),
                              file_first=True)
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/attachments", content=pieces,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "photo" and response.json()["description"] == "先传文件"


@pytest.mark.parametrize(("data", "file_name", "status", "field"), [
    ({}, "a.pdf", 422, "kind"),
    ({"kind": "painting"}, "a.pdf", 422, "kind"),
    ({"kind": "evidence"}, None, 422, "file"),
    ({"kind": "evidence", "colour": "red"}, "a.pdf", 400, "colour"),
    ({"kind": "evidence", "description": "长" * 501}, "a.pdf", 422, "description"),
    ({"kind": "evidence", "description": "a\x00b"}, "a.pdf", 422, "description"),
    ({"kind": "evidence"}, "a\x01.pdf", 422, "file"),
])
def test_a_bad_form_is_refused_naming_its_field(api: Api, case_id: int, data: dict, file_name: str | None,
                                                 status: int, field: str) -> None:
    before = stored_counts(api, case_id)
    pieces = multipart_pieces(data, file_name, iter([pdf_bytes()])) if file_name else multipart_pieces(data)
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/attachments", content=b"".join(pieces),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert assert_error(response, status)["extra"]["field"] == field
    assert stored_counts(api, case_id) == before


def test_a_body_that_is_not_multipart_is_400(api: Api, case_id: int) -> None:
    response = api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/attachments", json={"kind": "evidence"})
    assert assert_error(response, 400)["extra"]["field"] == "Content-Type"
    cut = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n").encode()
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/attachments", content=cut + pdf_bytes(),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert_error(response, 400)


def test_outside_reach_is_404_exactly_like_a_missing_case(api: Api) -> None:
    lucheng = api.cases["matrix_other"]  # 鹿城区: outside every 永嘉 user's reach
    client = api.as_user("mediator1")
    for case in (lucheng, 99_999_999):
        assert_error(upload(client, case, pdf_bytes()), 404)
        assert_error(client.get(f"/api/v1/cases/{case}/attachments"), 404)
        assert_error(client.get(f"/api/v1/cases/{case}/attachments/1"), 404)
    outside = upload(client, lucheng, pdf_bytes()).json()
    missing = upload(client, 99_999_999, pdf_bytes()).json()
    assert outside["detail"].replace(str(lucheng), "N") == missing["detail"].replace("99999999", "N")


def test_a_role_that_may_not_attach_is_403_and_nothing_is_stored(api: Api, case_id: int) -> None:
    before = stored_counts(api, case_id)
    body = assert_error(upload(api.as_user("admin"), case_id, pdf_bytes()), 403)
    assert body["extra"]["trigger"] == "attach"
    assert stored_counts(api, case_id) == before


def test_an_id_document_is_only_for_who_sees_unmasked_numbers(api: Api, case_id: int) -> None:
    mediator, grid = api.as_user("mediator1"), api.as_user("grid1")
    card = upload(mediator, case_id, SAMPLES["jpeg"][0], kind="id_document", file_name="身份证.jpg").json()
    photo = upload(grid, case_id, SAMPLES["png"][0], kind="photo", file_name="现场.png").json()
    assert [item["id"] for item in mediator.get(f"/api/v1/cases/{case_id}/attachments").json()] == \
        [card["id"], photo["id"]]
    assert [item["id"] for item in api.as_user("supervisor1").get(f"/api/v1/cases/{case_id}/attachments").json()] == \
        [card["id"], photo["id"]]
    assert [item["id"] for item in grid.get(f"/api/v1/cases/{case_id}/attachments").json()] == [photo["id"]]
    hidden = assert_error(grid.get(f"/api/v1/cases/{case_id}/attachments/{card['id']}"), 404)
    assert hidden == assert_error(grid.get(f"/api/v1/cases/{case_id}/attachments/{card['id']}"), 404)
    assert mediator.get(f"/api/v1/cases/{case_id}/attachments/{card['id']}").content == SAMPLES["jpeg"][0]


def test_an_attachment_of_another_case_is_404(api: Api, case_id: int) -> None:
    other = api.new_case("mediation.assigned")
    view = upload(api.as_user("mediator1"), other, pdf_bytes()).json()
    assert_error(api.as_user("mediator1").get(f"/api/v1/cases/{case_id}/attachments/{view['id']}"), 404)


def test_if_match_is_optional_and_checked_when_sent(api: Api, case_id: int) -> None:
    mediator = api.as_user("mediator1")
    version = api.version(case_id)
    body = assert_error(upload(mediator, case_id, pdf_bytes(), headers={"If-Match": f'"{version - 1}"'}), 409)
    assert body["extra"]["current_version"] == version
    assert upload(mediator, case_id, pdf_bytes(), headers={"If-Match": f'"{version}"'}).status_code == 201
    assert_error(upload(mediator, case_id, pdf_bytes(), headers={"If-Match": "five"}), 400)


def test_a_retry_under_the_same_idempotency_key_is_answered_once(api: Api, case_id: int) -> None:
    mediator = api.as_user("mediator1")
    key = {"Idempotency-Key": f"upload-{case_id}"}
    first = upload(mediator, case_id, pdf_bytes(), headers=key)
    after_first = stored_counts(api, case_id)
    again = upload(mediator, case_id, pdf_bytes(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert stored_counts(api, case_id) == after_first
    other_file = assert_error(upload(mediator, case_id, SAMPLES["png"][0], headers=key), 422)
    assert other_file["extra"]["field"] == "Idempotency-Key"
    assert stored_counts(api, case_id) == after_first


def test_attach_is_not_fired_through_transitions(api: Api, case_id: int) -> None:
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/transitions", headers={"If-Match": f'"{api.version(case_id)}"'},
        json={"trigger": "attach", "data": {"kind": "evidence", "attachment_id": 1, "sha256": "0" * 64}})
    body = assert_error(response, 422)
    assert body["extra"]["field"] == "trigger" and "/attachments" in body["detail"]


def test_a_closed_case_still_takes_a_file(api: Api) -> None:
    closed = api.new_case("closed.not_accepted")
    response = upload(api.as_user("supervisor1"), closed, pdf_bytes(), kind="other")
    assert response.status_code == 201, response.text


def test_a_body_longer_than_the_cap_allows_is_413_whatever_fills_it(api: Api, case_id: int) -> None:
    """Bytes before the first part (a preamble the parser would skip) count against the cap too."""
    preamble = iter([b"x" * (1024 * 1024)] * 21)
    pieces = (*preamble, *multipart_pieces({"kind": "evidence"}, "a.pdf", iter([pdf_bytes()])))
    response = api.as_user("mediator1").post(
        f"/api/v1/cases/{case_id}/attachments", content=iter(pieces),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert assert_error(response, 413)["extra"]["limit_bytes"] == MAX_BYTES


def test_a_client_gone_mid_upload_leaves_nothing(api: Api, case_id: int) -> None:
    """The chunks written while the bytes came are removed when the client hangs up before the end."""
    import socket
    import time

    head = b"".join(multipart_pieces({"kind": "evidence"}, "半.pdf", iter([pdf_bytes(padding=3 * 1024 * 1024)])))
    request = (f"POST /api/v1/cases/{case_id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: Bearer {api.token('mediator1')}\r\n"
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len(head) * 2}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", api.server.port)) as connection:
        connection.sendall(request.encode() + head[: len(head) - 100])  # more than a megabyte: chunks were written
        time.sleep(1.0)
    deadline = time.monotonic() + 10
    while stored_counts(api, case_id)[:2] != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored_counts(api, case_id)[:2] == (0, 0)  # no row, unfinished or not, and no chunk

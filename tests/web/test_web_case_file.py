"""The case file in the browser (issue 12): rights notices, a session record, a correction, an upload.

mediator1 tells both parties of their rights and duties, records their consents, starts the
session, records it (participants, each party's statement, findings), corrects the facts and
uploads a photo of the damage: the progress bar reaches 100 %, the photo is listed and
downloads byte for byte. The page shows every record in full and the correction with who,
why and the old value, in Chinese words only; axe finds nothing serious on a desktop or a
phone, and nothing sticks out sideways on the phone. The court's clerk sees the case file
of a case referred to the court.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import timedelta

import pytest
from api_support import case_input
from browser_site import PHONE, Site, fire_done
from playwright.sync_api import Locator, Page, expect

from mediation.clock import utcnow
from mediation.demo.case_paths import drive_to

pytestmark = pytest.mark.slow

NEW_TITLE = "楼上装修噪音及漏水纠纷"
APPLICANT, RESPONDENT = "王某某", "李某某"
# Codes of the workflow that must never show on a Chinese page (their labels do).
CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(agreed|partial|adjourned|evidence|photo|audio|interpreter|lawyer|cadre|"
                   r"written|male|female|previous|findings|statements|participants)\b")


def png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (an orange rectangle), made here so the test needs no file beside it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xf0\xa0\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))



def choose_party(name: str, role: str):
    return lambda form: form.get_by_label("当事人").select_option(label=f"{name}（{role}）")


def visible_text(page: Page) -> str:
    return page.locator("main").inner_text()


def test_a_mediator_keeps_the_case_file(site_pages: Site) -> None:
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=case_input(site.county.grid))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")

    # Rights and duties told to both parties, both consents recorded, a co-mediator added.
    for name, role, method in ((APPLICANT, "申请人", "in_person"), (RESPONDENT, "被申请人", "written")):
        fire_done(page, "notify_rights", lambda form, n=name, r=role, m=method: (
            choose_party(n, r)(form), form.get_by_label("告知方式").select_option(m)))
        fire_done(page, "record_consent", choose_party(name, role))
    expect(page.locator("table.parties .tag.ok")).to_have_count(2)
    expect(page.locator("table.parties")).to_contain_text("已告知权利义务")
    fire_done(page, "add_participant", lambda form: (form.get_by_label("姓名").fill("赵某某"),
                                                form.get_by_label("身份").select_option("co_mediator")))
    expect(page.locator("ul.participants")).to_contain_text("赵某某")
    expect(page.locator("ul.participants")).to_contain_text("协助调解员")
    fire_done(page, "start_session")
    expect(page.locator(".state")).to_contain_text("调解中")

    # The session record: a participant row per person present, a statement per party.
    held = (utcnow() + timedelta(hours=8) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    def session(form: Locator) -> None:
        form.get_by_label("时间").fill(held)
        form.get_by_label("地点").fill("江北社区人民调解室")
        expect(form.get_by_label("参加人员 1 · 姓名")).to_have_value("林调解")  # the case file's people, to confirm
        expect(form.get_by_label("参加人员 2 · 身份")).to_have_value("协助调解员")
        form.get_by_label("参加人员 3 · 姓名").fill(APPLICANT)
        form.get_by_label("参加人员 3 · 身份").fill("申请人")
        form.get_by_role("button", name="添加一行").click()
        form.get_by_label("参加人员 5 · 姓名").fill(RESPONDENT)
        form.get_by_label("参加人员 5 · 身份").fill("被申请人")
        form.get_by_label(f"{APPLICANT}的陈述").fill("楼上装修至深夜，影响休息，要求限定施工时间。")
        form.get_by_label(f"{RESPONDENT}的陈述").fill("同意晚八点后停止施工，并修复漏水。")
        form.get_by_label("调解情况及查明事实").fill("经查，装修时间确有超出规定。")
        form.get_by_label("结果").select_option("agreed")

    fire_done(page, "record_session", session)
    record = page.locator("#records article[data-trigger='record_session']")
    expect(record).to_contain_text("江北社区人民调解室")
    expect(record).to_contain_text("达成协议")
    expect(record).to_contain_text("林调解（调解员）、赵某某（协助调解员）、王某某（申请人）、李某某（被申请人）")
    expect(record.locator("dl.statements")).to_contain_text(APPLICANT)
    expect(record.locator("dl.statements")).to_contain_text("同意晚八点后停止施工，并修复漏水。")
    expect(page.locator(".timeline li").first.get_by_role("link", name="查看全文")).to_have_attribute(
        "href", re.compile(r"#record-\d+"))

    # A correction of the facts: the page marks it corrected, with who, why and the old title.
    fire_done(page, "correct_facts", lambda form: (form.get_by_label("标题").fill(NEW_TITLE),
                                              form.get_by_label("理由").fill("登记时遗漏漏水情况")))
    expect(page.locator("h1")).to_contain_text(NEW_TITLE)
    correction = page.locator("#corrections article").first
    expect(correction).to_contain_text("已更正")
    expect(correction).to_contain_text("登记时遗漏漏水情况")
    expect(correction.locator("td.old")).to_contain_text("楼上装修噪音扰民纠纷")
    expect(correction).to_contain_text("更正人")

    # A photo of the damage, with the progress bar reaching 100 %, then listed and downloaded.
    photo = png()
    upload = page.locator("#upload-form")
    upload.get_by_label("材料类别").select_option("photo")
    upload.get_by_label("材料说明").fill("卫生间顶棚漏水")
    upload.get_by_label("文件").set_input_files(files=[{"name": "漏水照片.png", "mimeType": "image/png",
                                                          "buffer": photo}])
    with page.expect_navigation():
        upload.get_by_role("button", name="上传").click()
    assert "done=attach" in page.url, page.url
    row = page.locator("table.attachments tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("漏水照片.png")
    expect(row).to_contain_text("照片")
    expect(row).to_contain_text("林调解")  # the uploader by name
    with page.expect_download() as download:
        row.get_by_role("link", name="漏水照片.png").click()
    assert download.value.suggested_filename == "漏水照片.png"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == photo

    text = visible_text(page)
    assert not CODES.search(text), CODES.search(text)
    site.check_accessibility(page, "case file as mediator")
    site.shot(page, "case-file-mediator")
    phone = site.login("mediator1", PHONE)
    phone.goto(f"{site.base_url}/cases/{case_id}")
    phone.locator("summary[data-trigger='record_session']").click()
    assert site.wider_than_viewport(phone) == []
    site.check_accessibility(phone, "case file on a phone")
    site.shot(phone, "case-file-phone")


def test_the_progress_bar_reaches_100(site_pages: Site) -> None:
    """A file large enough to take several progress events: the bar ends full before the page moves on."""
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=case_input(site.county.grid))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    values: list[str] = []
    page.expose_function("noteProgress", lambda value: values.append(value))
    page.evaluate("""() => new MutationObserver(() => window.noteProgress(
        document.getElementById('upload-form').getAttribute('data-progress'))).observe(
        document.getElementById('upload-form'), {attributes: true, attributeFilter: ['data-progress']})""")
    big = png() + b"\0" * (3 * 1024 * 1024)  # a PNG with trailing bytes: still told a PNG by its first bytes
    page.locator("#upload-kind").select_option("evidence")
    page.locator("#upload-file").set_input_files(files=[{"name": "现场.png", "mimeType": "image/png", "buffer": big}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    assert values and values[-1] == "100", values
    expect(page.locator("table.attachments")).to_contain_text("3.0 MB")


def test_an_upload_without_script_and_a_refused_file(site_pages: Site) -> None:
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=case_input(site.county.grid))
    page = site.login("mediator1", script=False)
    page.goto(f"{site.base_url}/cases/{case_id}")
    expect(page.locator("#upload-form .progress")).to_be_hidden()
    page.locator("#upload-file").set_input_files(files=[{"name": "说明.txt", "mimeType": "text/plain",
                                                          "buffer": "这不是图片".encode()}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    expect(page.locator("#upload-error")).to_contain_text("文件：只接受 PDF、JPEG、PNG")
    expect(page.locator("table.attachments")).to_have_count(0)
    page.locator("#upload-file").set_input_files(files=[{"name": "协议.png", "mimeType": "image/png",
                                                          "buffer": png()}])
    page.locator("#upload-kind").select_option("signed_agreement")
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    expect(page.locator("table.attachments tbody tr")).to_contain_text("签字协议书")


def test_the_court_clerk_sees_the_case_file(site_pages: Site) -> None:
    site = site_pages
    page = site.login("court1")
    page.goto(f"{site.base_url}/cases/{site.cases['court_applied']}")
    expect(page.locator("#agreement")).to_contain_text("协议内容")
    drafted = page.locator(".timeline li", has_text="起草调解协议")
    expect(drafted.get_by_role("link", name="查看全文")).to_have_attribute("href", "#agreement")
    expect(page.locator("#records")).to_be_visible()
    expect(page.locator("#attachments")).to_be_visible()
    assert not CODES.search(visible_text(page))
    site.check_accessibility(page, "case file as court clerk")
    site.shot(page, "case-file-court")


def test_a_wrong_record_is_named_beside_its_field(site_pages: Site) -> None:
    """A session held in the future and a statement too long: each refusal in Chinese beside its field, nothing kept."""
    site = site_pages
    case_id = site.cases["in_session"]
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    version = site.version(case_id)
    page.locator("summary[data-trigger='record_session']").click()
    form = page.locator("form[data-trigger='record_session']")
    form.get_by_label("时间").fill((utcnow() + timedelta(hours=8) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("地点").fill("调解室")
    form.get_by_label("结果").select_option("adjourned")
    form.get_by_label("参加人员 1 · 姓名").fill("陈调解员")
    form.get_by_label("参加人员 1 · 身份").fill("调解员")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    form = page.locator("form[data-trigger='record_session']")
    expect(form.locator(".field.has-error[data-field='held_at'] .error")).to_have_text("不能晚于当前时间")
    expect(form.get_by_label("地点")).to_have_value("调解室")
    expect(form.get_by_label("参加人员 1 · 姓名")).to_have_value("陈调解员")
    assert site.version(case_id) == version
    site.check_accessibility(page, "record_session refused")


def test_the_case_file_in_english(site_pages: Site) -> None:
    site = site_pages
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{site.cases['court_applied']}?lang=en")
    for heading in ("Agreed terms", "Records and notes", "Evidence and attachments", "Participants"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#records article").first).to_contain_text("Statements")
    text = visible_text(page)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.search(r"\b[a-z]+_[a-z_]+\b", text)
    site.check_accessibility(page, "case file in English")


def test_an_id_card_image_only_for_who_sees_numbers(site_pages: Site) -> None:
    """The assigned mediator uploads an image of an ID card; the grid worker sees the case, not the image."""
    site = site_pages
    case_id = drive_to(site.db, state="mediation.assigned", county=site.county, case_input=case_input(site.county.grid))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    page.locator("#upload-kind").select_option("id_document")
    page.locator("#upload-file").set_input_files(files=[{"name": "身份证.png", "mimeType": "image/png",
                                                          "buffer": png()}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    link = page.locator("table.attachments").get_by_role("link", name="身份证.png")
    expect(link).to_be_visible()
    address = link.get_attribute("href")
    grid = site.login("grid1")
    grid.goto(f"{site.base_url}/cases/{case_id}")
    expect(grid.locator("#attachments")).to_contain_text("尚无附件")
    response = grid.goto(f"{site.base_url}{address}")
    assert response is not None and response.status == 404


def test_attach_is_not_a_trigger_form(site_pages: Site) -> None:
    """No form offers `attach`; a form posted with it by hand is refused (422) and stores nothing."""
    site = site_pages
    case_id = site.cases["assigned"]
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{case_id}")
    expect(page.locator("summary[data-trigger='attach']")).to_have_count(0)
    version = site.version(case_id)
    form = page.locator("form[data-trigger='notify_rights']")
    form.evaluate("form => { form.querySelector('[name=trigger]').value = 'attach'; }")
    form.evaluate("""form => { for (const [name, value] of [['data.kind', 'photo'], ['data.attachment_id', '1'],
        ['data.sha256', '0'.repeat(64)]]) { const input = document.createElement('input'); input.type = 'hidden';
        input.name = name; input.value = value; form.appendChild(input); } }""")
    with page.expect_response(lambda r: r.url.endswith("/fire")) as answer:
        form.evaluate("form => form.submit()")
    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text("上传表单")
    assert site.version(case_id) == version


def test_an_investigation_record_and_a_note_on_a_closed_case(site_pages: Site) -> None:
    site = site_pages
    open_case = drive_to(site.db, state="mediation.assigned", county=site.county,
                         case_input=case_input(site.county.grid))
    page = site.login("mediator1")
    page.goto(f"{site.base_url}/cases/{open_case}")
    held = (utcnow() + timedelta(hours=8) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    fire_done(page, "record_investigation", lambda form: (
        form.get_by_label("时间").fill(held), form.get_by_label("地点").fill("李某某家中"),
        form.get_by_label("被调查人").fill("楼下住户张某"),
        form.get_by_label("调查内容").fill("张某称装修噪音多在晚十点后。")))
    record = page.locator("#records article[data-trigger='record_investigation']")
    expect(record).to_contain_text("被调查人")
    expect(record).to_contain_text("张某称装修噪音多在晚十点后。")

    closed = drive_to(site.db, state="closed.withdrawn", county=site.county, case_input=case_input(site.county.grid))
    page.goto(f"{site.base_url}/cases/{closed}")
    expect(page.locator("summary[data-trigger]")).to_have_count(1)  # a note is all a closed case takes here
    fire_done(page, "add_note", lambda form: form.get_by_label("内容").fill("当事人来电，表示不再追究。"))
    expect(page.locator(".timeline li").first).to_contain_text("当事人来电，表示不再追究。")
    expect(page.locator("#records article[data-trigger='add_note']")).to_contain_text("当事人来电")
    assert not CODES.search(visible_text(page))

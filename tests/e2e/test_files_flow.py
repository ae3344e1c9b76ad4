"""Files in the browser: an image shows as a thumbnail for both, a PDF with a Chinese name
downloads intact, an oversize file is refused with a message and nothing is stored."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Browser, Route, expect

from tests.support.browser import (
    ATTACH_INPUT,
    PHONE,
    befriend,
    expect_chat_as,
    file_fetches,
    login,
    new_user,
    open_chat_with,
    wait_for_thumbnail,
)
from tests.support.live_app import LiveApp


def stored_files(app: LiveApp) -> int:
    engine = sa.create_engine(app.database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from storedfile")).scalar_one()
    engine.dispose()
    return count


def test_image_pdf_and_oversize(browser: Browser, app_on_each_profile: LiveApp, tmp_path: Path):
    ann, ann_name = new_user(browser, app_on_each_profile, "ann")
    bob, bob_name = new_user(browser, app_on_each_profile, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    expect(ann.locator("#upload-hint")).to_contain_text("25 MB")

    picture = tmp_path / "holiday photo.png"
    Image.new("RGB", (1200, 800), (200, 80, 40)).save(picture)
    fetched = {page: file_fetches(page) for page in (ann, bob)}
    ann.set_input_files(ATTACH_INPUT, str(picture))
    for page in (ann, bob):
        thumbnail = page.locator("#message-list .message-thumbnail").last
        expect(thumbnail).to_be_visible(timeout=15_000)
        # Generous: CI runs the browser tests beside the realtime half on two cores.
        wait_for_thumbnail(page, fetched[page], widest=360, timeout_ms=60_000)

    pdf = tmp_path / '作业 "final" 报告.pdf'
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF\n")
    before = stored_files(app_on_each_profile)
    ann.set_input_files(ATTACH_INPUT, str(pdf))
    card = bob.locator("#message-list .file-card").last
    expect(card).to_contain_text('作业 "final" 报告.pdf', timeout=15_000)
    with bob.expect_download() as download_info:
        card.click()
    download = download_info.value
    # Chrome saves '"' as '_' (not allowed in file names on every OS); the header itself
    # carries the exact name.
    assert download.suggested_filename == "作业 _final_ 报告.pdf"
    response = bob.request.get(card.get_attribute("href") or "")
    disposition = response.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == '作业 "final" 报告.pdf'
    assert disposition.startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"].startswith("private")
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).digest() == hashlib.sha256(pdf.read_bytes()).digest()
    assert stored_files(app_on_each_profile) == before + 1

    huge = tmp_path / "too big.bin"
    with huge.open("wb") as out:
        out.truncate(26 * 1024 * 1024)
    ann.set_input_files(ATTACH_INPUT, str(huge))
    expect(ann.locator("#composer-error")).to_have_text(
        "This file is too large: the limit is 25 MB."
    )
    assert stored_files(app_on_each_profile) == before + 1


def test_avatar_shows_in_the_header_and_live_in_the_friends_list(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    picture = tmp_path / "me.png"
    Image.new("RGB", (400, 400), (30, 160, 90)).save(picture)

    ann.click("#user-menu")
    ann.click("#menu-avatar")
    # While the picture is on its way (held here, as a slow line would), the button says so.
    held: list[Route] = []
    ann.route("**/_upload", lambda route: held.append(route))
    with ann.expect_request("**/_upload"):
        ann.set_input_files("#avatar-upload input[type=file]", str(picture))
    expect(ann.locator("#avatar-pick")).to_be_disabled()
    assert len(held) == 1, "the upload was not held"
    held[0].continue_()
    ann.unroute("**/_upload")
    expect(ann.locator("#user-menu img")).to_be_visible(timeout=15_000)
    # Bob did nothing: the new picture appears in his friend list.
    expect(bob.locator("#friend-list img")).to_be_visible(timeout=15_000)
    bob.wait_for_function(
        "() => { const i = document.querySelector('#friend-list img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )

    ann.click("#user-menu")
    ann.click("#menu-avatar")
    page_text = tmp_path / "not-an-image.png"
    page_text.write_bytes(b"<html>not really</html>")
    ann.set_input_files("#avatar-upload input[type=file]", str(page_text))
    expect(ann.locator("#avatar-error")).to_have_text("Pick a PNG, JPEG, GIF or WebP image.")


# Each word of the card's name: how many lines its letters take (1 when no word is broken).
WORD_LINES = """name => {
    const text = name.firstChild;
    const lines = [];
    let start = 0;
    for (const word of text.textContent.split(' ')) {
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, start + word.length);
        lines.push([word, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]);
        start += word.length + 1;
    }
    return lines;
}"""


# Where each line of an element's text starts, in px from the screen's left.
LINE_STARTS = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Map();
    for (const box of range.getClientRects()) {
        const top = Math.round(box.top);
        tops.set(top, Math.min(tops.get(top) ?? Infinity, box.left));
    }
    return [...tops.values()];
}"""


def test_a_long_file_name_on_a_phone_breaks_between_words_beside_whole_icons(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob_desk, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob_desk, bob_name)
    bob_desk.context.close()
    open_chat_with(ann, bob_name.title())
    report = tmp_path / "作业 final 报告 with a rather long name for the card.pdf"
    report.write_bytes(b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n")
    ann.set_input_files(ATTACH_INPUT, str(report))
    expect(ann.locator("#message-list .file-card").last).to_be_visible(timeout=15_000)

    phone = browser.new_context(**PHONE).new_page()
    login(phone, app_server, bob_name)
    expect_chat_as(phone, app_server, bob_name.title())
    phone.locator(f"#chat-list button[aria-label='{ann_name.title()}']").tap()
    card = phone.locator("#message-list .file-card").last
    expect(card).to_be_visible(timeout=15_000)
    name = card.locator(".file-name")
    name_box = name.bounding_box()
    assert name_box is not None
    assert name_box["height"] > 30, "the name should wrap on a phone"
    broken = [word for word, lines in name.evaluate(WORD_LINES) if lines > 1]
    assert broken == [], f"words broken across lines: {broken}"
    # Every line starts at the name's start edge (it was centred in the card).
    starts = name.evaluate(LINE_STARTS)
    assert max(starts) - min(starts) < 1, f"the lines start at {starts}"
    icons = card.locator("svg")
    widths = [
        (icons.nth(index).bounding_box() or {}).get("width") for index in range(icons.count())
    ]
    assert widths == [24, 16], f"the file and download icons: {widths} px wide"
    screen = phone.viewport_size
    card_box = card.bounding_box()
    assert screen is not None
    assert card_box is not None
    assert card_box["x"] + card_box["width"] <= screen["width"]

    # A name with nowhere to break between words takes three lines at most, whole in its
    # title (it took seven).
    unbroken = tmp_path / ("a_very_long_document_name_that_keeps_going" * 3 + ".pdf")
    unbroken.write_bytes(b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n")
    ann.set_input_files(ATTACH_INPUT, str(unbroken))
    expect(phone.locator("#message-list .file-card")).to_have_count(2, timeout=15_000)
    name = phone.locator("#message-list .file-card").last.locator(".file-name")
    expect(name).to_have_attribute("title", unbroken.name)
    lines = name.evaluate("e => e.clientHeight / parseFloat(getComputedStyle(e).lineHeight)")
    assert 2.5 < lines < 3.5, f"{lines} lines"


def test_a_picture_opens_whole_in_the_middle_of_its_viewer(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    tall = tmp_path / "tall.png"
    Image.new("RGB", (600, 900), (40, 120, 200)).save(tall)
    fetched = file_fetches(bob)
    ann.set_input_files(ATTACH_INPUT, str(tall))
    wait_for_thumbnail(bob, fetched, widest=360, timeout_ms=60_000)

    bob.locator("#message-list .message-thumbnail").last.click()
    dialog = bob.get_by_role("dialog")
    picture = dialog.locator("img")
    expect(picture).to_have_attribute("alt", "tall.png")
    bob.wait_for_function(
        "() => { const i = document.querySelector('[role=dialog] img');"
        " return i && i.complete && i.naturalWidth === 600; }"
    )
    # In the middle of the dialog (a tall picture sat at its left edge).
    shown = picture.bounding_box()
    frame = dialog.bounding_box()
    assert shown is not None
    assert frame is not None
    assert abs(shown["x"] + shown["width"] / 2 - (frame["x"] + frame["width"] / 2)) <= 2
    bob.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

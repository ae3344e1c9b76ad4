"""A chat's export from the header: the dialog, its download, the page it holds opened from
disk (the text shown as text, the picture beside it, nothing run), the hourly limit said in
the dialog, and on a phone the header's ⋮ menu, which leaves a group's name its room."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import (
    ATTACH_INPUT,
    PHONE,
    befriend,
    file_fetches,
    friends_in_chat,
    login,
    new_user,
    open_chat_with,
    send,
    wait_for_thumbnail,
)
from tests.support.live_app import LiveApp

SAID = "the plan for <b>Monday</b> & after"
INSIDE_VIEWPORT = """element => {
    const box = element.getBoundingClientRect();
    return box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight;
}"""


def _make_link(page: Page, phone: bool = False) -> str:
    if phone:
        page.locator("#chat-more").tap()
        page.locator("#more-export").tap()
    else:
        page.click("#export-button")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Export this chat")
    page.click("#export-prepare")
    download = page.locator("#export-download")
    expect(download).to_be_visible()
    assert download.evaluate(INSIDE_VIEWPORT)
    assert download.get_attribute("target") == "_blank"
    href = download.get_attribute("href")
    assert href
    assert "/exports/" in href
    return href


def test_a_chat_exports_to_a_zip_whose_page_opens_from_disk(
    browser: Browser, app_server: LiveApp, tmp_path: Path
):
    ann, bob, ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, SAID)
    picture = tmp_path / "beach.png"
    Image.new("RGB", (600, 400), (40, 120, 200)).save(picture)
    fetched = file_fetches(bob)
    ann.set_input_files(ATTACH_INPUT, str(picture))
    expect(bob.locator("#message-list .message-thumbnail")).to_be_visible(timeout=15_000)
    wait_for_thumbnail(bob, fetched, timeout_ms=60_000)

    href = _make_link(bob)
    response = bob.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    assert archive.testzip() is None
    folder = tmp_path / "export"
    archive.extractall(folder)
    assert (folder / "files" / "000002-beach.png").stat().st_size == picture.stat().st_size

    page = bob.context.new_page()
    page.goto((folder / "index.html").as_uri())
    expect(page.locator("h1")).to_have_text(ann_name)
    expect(page.locator("li.message").first).to_contain_text(SAID)
    image = page.locator("li.message img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('li.message img');"
        " return i && i.complete && i.naturalWidth === 600; }"
    )
    assert page.evaluate("() => document.scripts.length") == 0
    assert page.locator(".text b").count() == 0  # the <b> someone typed is text


def test_the_hourly_limit_is_said_in_the_dialog(browser: Browser, app_server: LiveApp):
    ann, _bob, _ann_name, _bob_name = friends_in_chat(browser, app_server)
    send(ann, "hello")
    for _ in range(10):
        _make_link(ann)
        ann.keyboard.press("Escape")
        expect(ann.get_by_role("dialog")).to_be_hidden()
    ann.click("#export-button")
    ann.click("#export-prepare")
    expect(ann.locator("#export-error")).to_have_text(
        "Too many exports in the last hour. Try again later."
    )
    expect(ann.locator("#export-download")).to_have_count(0)


def test_the_phone_header_keeps_room_for_the_name(browser: Browser, app_server: LiveApp):
    ann_desk, ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")
    befriend(ann_desk, bob, bob_name)
    ann_desk.context.close()
    ann = browser.new_context(**PHONE).new_page()
    login(ann, app_server, ann_name)
    open_chat_with(ann, bob_name.title())
    more = ann.locator("#chat-more")
    expect(more).to_be_visible()
    assert more.evaluate(INSIDE_VIEWPORT)
    box = more.bounding_box()
    assert box is not None
    assert box["width"] >= 44
    assert box["height"] >= 44
    title = ann.locator("#conversation-title").bounding_box()
    assert title is not None
    assert title["width"] >= 150
    _make_link(ann, phone=True)
    ann.keyboard.press("Escape")
    # The menu's Mute mutes the chat; the item then offers to unmute it.
    more.tap()
    expect(ann.locator("#more-mute")).to_have_text("Mute notifications")
    ann.locator("#more-mute").tap()
    expect(ann.locator("#more-mute")).to_have_count(0)  # the menu has closed
    more.tap()
    expect(ann.locator("#more-mute")).to_have_text("Unmute notifications")
    ann.keyboard.press("Escape")

    # A group's header also has its info button: its name still has room for words, where
    # four buttons left it 50 px and it broke after every few letters.
    ann.locator("#back-button").tap()
    ann.locator("#tab-chats").tap()
    ann.locator("#new-group").tap()
    ann.fill("#new-group-name", "Study group 学习小组")
    ann.locator(f"label.group-pick[data-username='{bob_name}']").tap()
    ann.locator("#new-group-create").tap()
    expect(ann.locator("#conversation-title")).to_have_text("Study group 学习小组")
    expect(ann.locator("#group-info")).to_be_visible()
    title = ann.locator("#conversation-title").bounding_box()
    assert title is not None
    assert title["width"] >= 120
    assert title["height"] <= 50  # two lines at most

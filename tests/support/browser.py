"""Steps for browser (e2e) tests: accounts, friends, chat, and the devices they run on."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.live_app import LiveApp

PASSWORD = "correct horse"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
ATTACH_INPUT = "#chat-attachments input[type=file]"
_FIRST_THUMBNAIL = "const i = document.querySelector('#message-list .message-thumbnail');"

_names = itertools.count()


def unique_name(prefix: str) -> str:
    return f"{prefix}_{next(_names)}"


def register(page: Page, app: LiveApp, username: str, nickname: str, setup_code: str = "") -> None:
    page.goto(app.frontend_url + "/auth")
    page.click("#tab-register")
    page.fill("#register-username", username)
    page.fill("#register-nickname", nickname)
    page.fill("#register-password", PASSWORD)
    page.fill("#register-password-confirm", PASSWORD)
    if setup_code:  # the first account of a server others can reach
        page.fill("#register-setup-code", setup_code)
    page.click("#register-submit")


def login(page: Page, app: LiveApp, username: str, password: str = PASSWORD) -> None:
    page.goto(app.frontend_url + "/auth")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")


def expect_chat_as(page: Page, app: LiveApp, nickname: str) -> None:
    expect(page.locator("#current-nickname")).to_have_text(nickname, timeout=20_000)
    # At the chat; with a conversation it reopened, at that conversation's history entry.
    expect(page).to_have_url(re.compile(re.escape(app.frontend_url) + r"/(#chat)?$"))


def new_user(browser: Browser, app: LiveApp, prefix: str) -> tuple[Page, str]:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    username = unique_name(prefix)
    register(page, app, username, username.title())
    expect_chat_as(page, app, username.title())
    return page, username


def search(page: Page, username: str) -> None:
    page.fill("#friend-search", username)
    page.click("#friend-search-submit")


def befriend(a: Page, b: Page, b_name: str, b_nickname: str | None = None) -> None:
    search(a, b_name)
    a.click("#search-add")
    b.click("#tab-requests")
    b.locator("#incoming-requests").get_by_role("button", name="Accept").click()
    b.click("#tab-friends")
    # The pane opens on the Chats tab: the friend list is the next one.
    a.click("#tab-friends")
    expect(a.locator("#friend-list")).to_contain_text(b_nickname or b_name.title())


def open_chat_with(page: Page, nickname: str) -> None:
    page.click("#tab-friends")
    page.locator("#friend-list").get_by_text(nickname, exact=True).click()
    expect(page.locator("#conversation-title")).to_have_text(nickname)


def send(page: Page, text: str) -> None:
    page.fill("#composer", text)
    page.press("#composer", "Enter")


def bubbles(page: Page):
    return page.locator("#message-list .message-body")


def message_order(page: Page) -> tuple[list[int], list[int]]:
    """The seqs of the messages in #message-list in DOM order, and top to bottom on screen."""
    found: list[tuple[int, float]] = page.locator("#message-list").evaluate(
        """list => [...list.querySelectorAll("[data-seq]")].map(
            element => [Number(element.dataset.seq), element.getBoundingClientRect().top])"""
    )
    in_dom = [seq for seq, _top in found]
    on_screen = [seq for _top, seq in sorted((top, seq) for seq, top in found)]
    return in_dom, on_screen


class SentEvents:
    """The names of the events a page sent to the server, as they left the browser."""

    def __init__(self, page: Page) -> None:
        self.frames: list[str] = []
        page.on("websocket", lambda socket: socket.on("framesent", self._sent))

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            self.frames.append(payload)

    def wait_for(self, page: Page, name: str, since: int, timeout: float = 5.0) -> None:
        """Until an event whose name ends with `name` was sent after frame number `since`."""
        deadline = time.monotonic() + timeout
        while not any(f'.{name}"' in frame for frame in self.frames[since:]):
            assert time.monotonic() < deadline, f"no {name} event was sent"
            page.wait_for_timeout(50)


def file_fetches(page: Page) -> list[str]:
    """What the page's requests for files come to (a status, or the failure), as they end.

    Start it before the step that shows a file, for `wait_for_thumbnail` to report.
    """
    seen: list[str] = []

    def answered(response: Response) -> None:
        if "/files/" in response.url:
            seen.append(f"{response.status} {response.url.split('?')[0]}")

    def failed(request: Request) -> None:
        if "/files/" in request.url:
            seen.append(f"failed ({request.failure}) {request.url.split('?')[0]}")

    page.on("response", answered)
    page.on("requestfailed", failed)
    return seen


def wait_for_thumbnail(
    page: Page, fetched: list[str], widest: int = 0, timeout_ms: float = 30_000
) -> None:
    """Wait until the message list's first thumbnail has loaded as a picture.

    A failure names the image's source, whether it completed and its width, and what the
    page's file requests came to (`fetched`, from `file_fetches`): a refused or failed
    download, or a slow one.

    Args:
        page: The page.
        fetched: `file_fetches(page)`, started before the picture was sent.
        widest: The most pixels wide it may be (a thumbnail, not the original); 0: any.
        timeout_ms: How long to wait.
    """
    narrow = f" && i.naturalWidth <= {widest}" if widest else ""
    loaded = f"() => {{ {_FIRST_THUMBNAIL} return i && i.complete && i.naturalWidth > 0{narrow}; }}"
    try:
        page.wait_for_function(loaded, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        shown = page.evaluate(
            f"() => {{ {_FIRST_THUMBNAIL}"
            " return i && {src: i.src, complete: i.complete, width: i.naturalWidth}; }"
        )
        pytest.fail(f"the thumbnail never loaded: {shown}; file requests: {fetched}")


def friends_in_chat(browser: Browser, app: LiveApp) -> tuple[Page, Page, str, str]:
    """Ann and Bob, new friends, each with their chat with the other open.

    Returns:
        Ann's page, Bob's page, Ann's nickname, Bob's nickname.
    """
    ann, ann_name = new_user(browser, app, "ann")
    bob, bob_name = new_user(browser, app, "bob")
    befriend(ann, bob, bob_name)
    open_chat_with(ann, bob_name.title())
    open_chat_with(bob, ann_name.title())
    return ann, bob, ann_name.title(), bob_name.title()


def friend_on_a_phone(browser: Browser, app: LiveApp) -> tuple[Page, Page, str, str]:
    """Ann on a desktop and Bob, her new friend, signed in on a phone (his chat page shown).

    Returns:
        Ann's page, Bob's phone's page, Ann's username, Bob's username.
    """
    ann, ann_name = new_user(browser, app, "ann")
    bob_desk, bob_name = new_user(browser, app, "bob")
    befriend(ann, bob_desk, bob_name)
    bob_desk.context.close()
    bob = browser.new_context(**PHONE).new_page()
    login(bob, app, bob_name)
    expect_chat_as(bob, app, bob_name.title())
    return ann, bob, ann_name, bob_name


# For `locator.evaluate` on a Radix text field's <input>: its box holds the whole input (on a
# touch screen the input is 44 px tall; a box that did not grow with it cut it off).
FIELD_IN_ITS_BOX = """input => {
    const field = input.getBoundingClientRect();
    const box = input.closest(".rt-TextFieldRoot").getBoundingClientRect();
    return field.top >= box.top - 1 && field.bottom <= box.bottom + 1;
}"""


def overlaps(page: Page, toast: Locator, selector: str) -> bool:
    """Whether the toast's box and the element's intersect."""
    a, b = toast.bounding_box(), page.locator(selector).bounding_box()
    assert a is not None
    assert b is not None
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def expect_buttons_inside(card: Locator) -> None:
    """Every button of `card` ends inside it (none pushed past its right edge)."""
    card_box = card.bounding_box()
    assert card_box is not None
    for control in card.locator("button").all():
        found = control.bounding_box()
        assert found is not None
        assert found["x"] + found["width"] <= card_box["x"] + card_box["width"], "out of the card"

"""Layouts (desktop, phone, open keyboard), theme, language, keyboard use, touch targets."""

from __future__ import annotations

import re
from itertools import pairwise

from playwright.sync_api import Browser, FloatRect, Page, expect

from tests.support.admins import promote_in
from tests.support.browser import (
    DESKTOP,
    FIELD_IN_ITS_BOX,
    PHONE,
    befriend,
    bubbles,
    expect_chat_as,
    login,
    new_user,
    open_chat_with,
    send,
)
from tests.support.live_app import LiveApp


def _box(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert size is not None
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"] + 1
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
    )


def _friend_on_a_phone(browser: Browser, app: LiveApp, *texts: str) -> tuple[Page, str, Page]:
    """Ann on a desktop writes `texts` to her new friend Bob, who then signs in on a phone.

    Returns:
        Ann's page, her username, and Bob's phone page (his chat list shown).
    """
    ann, ann_name = new_user(browser, app, "ann")
    bob_desk, bob_name = new_user(browser, app, "bob")
    befriend(ann, bob_desk, bob_name)
    open_chat_with(ann, bob_name.title())
    for line in texts:
        send(ann, line)
    phone = browser.new_context(**PHONE).new_page()
    login(phone, app, bob_name)
    expect_chat_as(phone, app, bob_name.title())
    return ann, ann_name, phone


def test_phone_shows_one_pane_at_a_time_and_keeps_the_composer_above_the_keyboard(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name, phone = _friend_on_a_phone(
        browser, app_server, *(f"line {n}" for n in range(10))
    )
    expect(bubbles(ann)).to_have_count(10)
    expect(phone.locator("#friend-pane")).to_be_visible()
    expect(phone.locator("#conversation-placeholder")).to_be_hidden()

    phone.locator("#tab-friends").tap()  # the pane opens on the Chats tab
    phone.locator("#friend-list").get_by_text(ann_name.title(), exact=True).tap()
    expect(phone.locator("#conversation-title")).to_have_text(ann_name.title())
    expect(phone.locator("#friend-pane")).to_be_hidden()
    expect(phone.locator("#back-button")).to_be_visible()
    expect(bubbles(phone).last).to_have_text("line 9")
    assert in_viewport(phone, "#composer")

    # The on-screen keyboard takes half the height: the composer and the newest message
    # stay visible, and the page itself does not scroll.
    phone.set_viewport_size({"width": 390, "height": 422})
    expect(bubbles(phone).last).to_be_in_viewport()
    assert in_viewport(phone, "#composer")
    assert phone.evaluate("document.scrollingElement.scrollTop") == 0

    # Touch targets are at least 44 px.
    for selector in ("#back-button", "#send-button", "#emoji-button", "#composer"):
        box = phone.locator(selector).bounding_box()
        assert box is not None
        assert box["height"] >= 44, selector

    # At 150 % and 200 % zoom (a 260 and a 195 px page): the clip, the text and Send still
    # fit side by side on the screen (the text's 20 default columns pushed Send off it).
    for width in (260, 195):
        phone.set_viewport_size({"width": width, "height": 422})
        clip, text, send_box = (
            _box(phone, selector) for selector in ("#attach-button", "#composer", "#send-button")
        )
        assert send_box["x"] + send_box["width"] <= width, f"Send is off a {width} px screen"
        assert clip["x"] + clip["width"] <= text["x"]
        assert text["x"] + text["width"] <= send_box["x"]
        assert text["width"] >= 40, f"the text box is {text['width']} px wide at {width} px"
    phone.set_viewport_size({"width": 390, "height": 422})

    phone.locator("#back-button").tap()
    expect(phone.locator("#friend-pane")).to_be_visible()
    expect(phone.locator("#conversation-pane")).to_have_count(0)


def test_theme_follows_the_system_and_the_choice_survives_reload(
    browser: Browser, app_server: LiveApp
):
    for options in (DESKTOP, PHONE):
        dark_system = browser.new_context(color_scheme="dark", **options).new_page()
        dark_system.goto(app_server.frontend_url + "/auth")
        expect(dark_system.locator("html")).to_have_class(re.compile(r"\bdark\b"))

        page = browser.new_context(color_scheme="light", **options).new_page()
        page.goto(app_server.frontend_url + "/auth")
        expect(page.locator("html")).to_have_class(re.compile(r"\blight\b"))
        page.get_by_role("button", name="Switch light or dark mode").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
        page.reload()
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))


def test_language_follows_the_browser_switches_at_once_and_is_remembered(
    browser: Browser, app_server: LiveApp
):
    chinese = browser.new_context(locale="zh-CN").new_page()
    chinese.goto(app_server.frontend_url + "/auth")
    expect(chinese.locator("#login-submit")).to_have_text("登录")

    page, name = new_user(browser, app_server, "lin")
    expect(page.locator("#tab-friends")).to_contain_text("Friends")
    # From the keyboard: the menu's arrow keys reach the languages (a switch inside the
    # menu was out of their reach, and Tab does not leave a menu).
    page.focus("#user-menu")
    page.keyboard.press("Enter")
    expect(page.locator("#language-en")).to_have_attribute("aria-checked", "true")
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "language-zh":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#tab-friends")).to_contain_text("好友")
    expect(page.locator("#language-en")).to_have_count(0)  # the menu closed
    page.click("#user-menu")
    expect(page.locator("#language-zh")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Escape")
    page.reload()
    expect(page.locator("#tab-friends")).to_contain_text("好友", timeout=20_000)
    expect(page.locator("#friend-search")).to_have_attribute("placeholder", "完整用户名")
    del name


INNER_RING_ONLY = """() => {
    const tab = document.querySelector('#tab-register');
    const inner = tab.querySelector('.rt-BaseTabListTriggerInner');
    return getComputedStyle(inner).outlineStyle === 'solid'
        && getComputedStyle(tab).outlineStyle === 'none';
}"""


def test_a_focused_tab_shows_one_ring_inside_it(browser: Browser, app_server: LiveApp):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(app_server.frontend_url + "/auth")
    page.click("#tab-register")
    expect(page.locator("#register-nickname")).to_be_visible()
    tab = page.locator("#tab-register")
    expect(tab).to_be_focused()
    # Chrome shows a clicked tab's focus ring too: Radix's, inside the tab, and at that
    # moment none of ours outside it (the tab list's edges cut that into two blue bars).
    page.wait_for_function(INNER_RING_ONLY, timeout=10_000)


def test_the_chat_works_with_the_keyboard_alone(browser: Browser, app_server: LiveApp):
    ann, ann_name = new_user(browser, app_server, "kim")
    bob, bob_name = new_user(browser, app_server, "lee")
    befriend(ann, bob, bob_name)
    friend_button = ann.locator("#friend-list .friend-open").first
    friend_button.focus()
    expect(friend_button).to_be_focused()
    ann.keyboard.press("Enter")
    expect(ann.locator("#conversation-title")).to_have_text(bob_name.title())
    ann.locator("#composer").focus()
    ann.keyboard.type("typed with keys only")
    ann.keyboard.press("Enter")
    expect(bubbles(bob.context.pages[0]).last).to_have_count(0)
    open_chat_with(bob, ann_name.title())
    expect(bubbles(bob).last).to_have_text("typed with keys only")

    # Escape closes dialogs.
    ann.click("#user-menu")
    ann.click("#menu-change-password")
    expect(ann.locator("#current-password")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#current-password")).to_be_hidden()

    # A screen reader's landmarks: the header, the lists, the conversation.
    expect(ann.get_by_role("banner")).to_contain_text("Chat")
    expect(ann.get_by_role("navigation", name="Chats and friends")).to_contain_text(
        bob_name.title()
    )
    expect(ann.get_by_role("main")).to_contain_text("typed with keys only")


# The width of each visible icon in `selector`'s buttons, and of the button around it.
_ICON_SIDES = """selector => [...document.querySelectorAll(selector)]
    .filter(button => button.offsetParent !== null)
    .map(button => [
        button.id || button.getAttribute('aria-label'),
        button.querySelector('svg').getBoundingClientRect().width,
        button.getBoundingClientRect().width,
    ])"""

# The header's visible icons, left to right.
_HEADER_ICONS = """() => [...document.querySelectorAll('#conversation-header button svg')]
    .filter(svg => svg.closest('button').offsetParent !== null)
    .filter(svg => svg.closest('#back-button') === null)
    .map(svg => svg.getBoundingClientRect().toJSON())
    .sort((a, b) => a.left - b.left)"""


def icon_sides(page: Page, selector: str) -> dict[str, tuple[float, float]]:
    """{button: (icon width, button width)} of the visible buttons `selector` finds."""
    return {name: (icon, box) for name, icon, box in page.evaluate(_ICON_SIDES, selector)}


def test_the_toolbars_icons_have_one_size_and_fit_their_buttons(
    browser: Browser, app_server: LiveApp
):
    ann, ann_name, phone = _friend_on_a_phone(browser, app_server, "hello")
    phone.locator("#tab-friends").tap()
    phone.locator("#friend-list").get_by_text(ann_name.title(), exact=True).tap()
    expect(bubbles(phone).last).to_have_text("hello")

    toolbars = "#conversation-header button, #emoji-button, #attach-button, #send-button"
    for page, expected in (
        (
            ann,
            {"search-this-chat", "export-button", "mute-button", "emoji-button", "attach-button"},
        ),
        (phone, {"back-button", "chat-more", "send-button"}),
    ):
        sides = icon_sides(page, toolbars)
        assert expected <= sides.keys(), sides
        # Before, Reflex drew the header's icons 36 px wide beside a 24 px bell.
        assert {icon for icon, _box in sides.values()} == {22}, sides
        # With room around it (ghost buttons are the icon and their padding wide).
        assert all(icon + 8 <= box for icon, box in sides.values()), sides

        # The icons sit on one line, the composer's on its field's middle line, and the
        # header's are apart (the ghost buttons' boxes touched, their icons 4 px apart).
        header = page.evaluate(_HEADER_ICONS)
        assert all(b["left"] - a["right"] >= 12 for a, b in pairwise(header)), header
        field = page.locator("#composer").bounding_box()
        assert field is not None
        middle = field["y"] + field["height"] / 2
        for tool in ("#emoji-button", "#attach-button", "#send-button"):
            icon = page.locator(f"{tool} svg").bounding_box()
            if icon is not None:
                assert abs(icon["y"] + icon["height"] / 2 - middle) <= 2, tool

    # A message's ⋯ on a phone is an icon one can see (it was 12 px), in a 44 px target.
    menu = icon_sides(phone, "#message-list .message-actions")
    assert menu
    assert all(icon >= 16 and box >= 44 for icon, box in menu.values()), menu


def fields_cut_off(page: Page) -> list[str]:
    """The visible text fields whose input runs out of its box (by id or placeholder)."""
    cut = []
    for field in page.locator(".rt-TextFieldRoot input:visible").all():
        if not field.evaluate(FIELD_IN_ITS_BOX):
            cut.append(field.get_attribute("id") or field.get_attribute("placeholder") or "?")
    return cut


def test_on_a_phone_fields_and_checkboxes_sit_in_their_boxes(browser: Browser, app_server: LiveApp):
    admin, admin_name = new_user(browser, app_server, "adm")
    admin.context.close()
    promote_in(app_server.database_url, admin_name)
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(app_server.frontend_url + "/auth")
    expect(phone.locator("#login-username")).to_be_visible()
    assert fields_cut_off(phone) == []
    # The language switch's 44 px buttons stay in its box (their words sat below it).
    switch = phone.locator(".rt-SegmentedControlRoot").bounding_box()
    assert switch is not None
    for item in phone.locator(".rt-SegmentedControlItem").all():
        word = item.bounding_box()
        assert word is not None
        assert switch["y"] - 1 <= word["y"]
        assert word["y"] + word["height"] <= switch["y"] + switch["height"] + 1
    login(phone, app_server, admin_name)
    expect_chat_as(phone, app_server, admin_name.title())
    assert fields_cut_off(phone) == []

    # The new group's name and filter were small fields: their 44 px inputs ran out of
    # their boxes (the text on the bottom edge, two borders).
    phone.locator("#new-group").tap()
    expect(phone.locator("#new-group-name")).to_be_visible()
    assert fields_cut_off(phone) == []
    phone.keyboard.press("Escape")

    phone.goto(app_server.frontend_url + "/admin")
    expect(phone.locator("#admin-user-search")).to_be_visible(timeout=20_000)
    assert fields_cut_off(phone) == []
    phone.locator("#admin-tab-invites").tap()
    expect(phone.locator("#invite-uses")).to_be_visible()
    assert fields_cut_off(phone) == []

    # The line "I understand ..." is the checkbox's 44 px target; the box itself keeps its
    # drawn size at the form's edge, on the text's middle (grown to 44 px it sat 14 px in
    # and below the text).
    phone.goto(app_server.frontend_url + "/account")
    confirm = phone.locator("#delete-account-confirm")
    confirm.scroll_into_view_if_needed()
    assert fields_cut_off(phone) == []
    box = confirm.bounding_box()
    line = phone.locator("label:has(#delete-account-confirm)").first.bounding_box()
    field = phone.locator("#delete-account-password").bounding_box()
    assert box is not None
    assert line is not None
    assert field is not None
    assert box["width"] <= 24
    assert abs(box["x"] - field["x"]) <= 2
    assert line["height"] >= 44
    assert abs(box["y"] + box["height"] / 2 - (line["y"] + line["height"] / 2)) <= 2
    # "Back to chat" was a 24 px line of text to hit with a thumb.
    back = phone.locator("#account-back")
    back.scroll_into_view_if_needed()
    back_box = back.bounding_box()
    assert back_box is not None
    assert back_box["height"] >= 44

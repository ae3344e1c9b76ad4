"""After a dialog or a button that goes away, the keyboard's focus lands on a control.

The app's dialogs are opened by state, with no Radix trigger to give the focus back to,
and Add friend or Accept take their own button away: each of these left the focus on the
page's body, and a keyboard user's next Tab started again from the top of the page. Now
each goes back to the control it came from, or on to where the user goes next (the new
group's composer, the search field for the next friend); a text field only on a desktop.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import bubbles, new_user, search, send
from tests.support.live_app import LiveApp


def _press(page: Page, selector: str) -> None:
    """Press a control with the keyboard, as a keyboard user does."""
    page.locator(selector).focus()
    page.keyboard.press("Enter")


def _message_menu(page: Page, item: str) -> None:
    page.locator("#message-list .message-actions").last.click()
    page.locator(f".{item}").click()


def test_the_focus_lands_on_a_control_after_each_dialog_and_friend_action(
    browser: Browser, app_server: LiveApp
):
    ann, _ann_name = new_user(browser, app_server, "ann")
    bob, bob_name = new_user(browser, app_server, "bob")

    # Add friend: the button turns into "Sent"; the search field is ready for the next.
    search(ann, bob_name)
    _press(ann, "#search-add")
    expect(ann.locator("#friend-search")).to_be_focused()
    # Accept: the request's row goes; the Requests tab keeps the place.
    bob.click("#tab-requests")
    bob.locator("#incoming-requests").get_by_role("button", name="Accept").focus()
    bob.keyboard.press("Enter")
    expect(bob.locator("#tab-requests")).to_be_focused()

    # New group: Escape goes back to its button; a created group to its composer.
    ann.click("#tab-chats")
    _press(ann, "#new-group")
    expect(ann.locator("#new-group-name")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#new-group")).to_be_focused()
    _press(ann, "#new-group")
    ann.fill("#new-group-name", "Focus")
    ann.locator(f"label.group-pick[data-username='{bob_name}']").click()
    _press(ann, "#new-group-create")
    expect(ann.locator("#conversation-title")).to_have_text("Focus")
    expect(ann.locator("#composer")).to_be_focused()
    ann.keyboard.type("typed at once")
    expect(ann.locator("#composer")).to_have_value("typed at once")
    ann.keyboard.press("Enter")
    expect(bubbles(ann)).to_have_text(["typed at once"])

    # The group's panel and the account's dialogs go back to the button that opened them.
    _press(ann, "#group-info")
    expect(ann.locator("#group-panel")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#group-info")).to_be_focused()
    _press(ann, "#user-menu")
    _press(ann, "#menu-change-password")
    expect(ann.get_by_role("dialog")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#user-menu")).to_be_focused()

    # A message's Forward, Edit and Delete dialogs: back to the composer.
    send(ann, "second")
    expect(bubbles(ann)).to_have_count(2)
    for item, field in [
        ("forward-message", "#forward-filter"),
        ("edit-message", "#edit-message-text"),
        ("delete-for-everyone", "#cancel-delete-message"),
    ]:
        _message_menu(ann, item)
        expect(ann.locator(field)).to_be_focused()
        ann.keyboard.press("Escape")
        expect(ann.locator("#composer")).to_be_focused()
    expect(bubbles(ann)).to_have_text(["typed at once", "second"])

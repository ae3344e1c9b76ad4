"""The tab's language: chosen from the browser's, switchable, remembered in localStorage.

Components get their text as `tr(key)`: both languages are compiled into the page and the
switch flips between them in the browser at once. Until the language is known (the first
frames, the static export's HTML, before `detect_language` has run) `tr` is empty and the
pages show only a spinner, so a browser never paints text in the wrong language. Handlers
that put text into state (errors, toasts) use `language_of(state)` to write it in the tab's
language.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.number import BooleanVar
from reflex_base.vars.sequence import StringVar

from chat_app.i18n import DEFAULT_LANGUAGE, EN, TABLES, ZH

# What phone and tablet browsers put in their user agent ("Mobi" is Mozilla's advice;
# Android tablets omit it, iPads in their default desktop mode say "Macintosh").
TOUCH_AGENT_MARKERS = ("mobi", "android", "iphone", "ipad", "ipod")


class UiState(rx.State):
    """Display preferences of this browser (the colour mode is kept by Reflex itself)."""

    # "" until detected from the browser's Accept-Language; synced across this browser's tabs.
    language: str = rx.LocalStorage("", name="chat_language", sync=True)

    @rx.event
    def detect_language(self):
        """On every page load: pick the browser's language the first time."""
        self._detect_language()

    def _detect_language(self) -> None:
        if self.language in TABLES:
            return
        accepted = self.router.headers.accept_language.lower()
        self.language = "zh" if accepted.startswith("zh") else DEFAULT_LANGUAGE

    # Whether this browser is a phone or tablet, from its request headers (a CSS media
    # query cannot feed a Var): on one, Enter makes a new line and the button sends.
    touch_screen: bool = False

    @rx.event
    def detect_device(self):
        """On page load: note whether the browser is a phone or tablet."""
        self._detect_device()

    def _detect_device(self) -> None:
        touch = is_touch_browser(
            self.router.headers.user_agent,
            self.router.headers.raw_headers.get("sec-ch-ua-mobile", ""),
        )
        if touch != self.touch_screen:
            self.touch_screen = touch

    @rx.event
    def set_language(self, language: str | list[str]):
        """Switch the language (English or Chinese); remembered in this browser."""
        if isinstance(language, str) and language in TABLES:
            self.language = language


def is_touch_browser(user_agent: str, ua_mobile_hint: str) -> bool:
    """Whether request headers describe a phone or tablet browser.

    Args:
        user_agent: The User-Agent header.
        ua_mobile_hint: The Sec-CH-UA-Mobile client hint ("?1" on a phone), if sent.

    Returns:
        True for a phone or tablet.
    """
    agent = user_agent.lower()
    return ua_mobile_hint == "?1" or any(marker in agent for marker in TOUCH_AGENT_MARKERS)


async def language_of(state: rx.State) -> str:
    """The language of the tab that `state` belongs to.

    Args:
        state: Any state of the tab.

    Returns:
        "en" or "zh".
    """
    ui = await state.get_state(UiState)
    return ui.language if ui.language in TABLES else DEFAULT_LANGUAGE


def tr(key: str, **values: object) -> StringVar:
    """A UI string that follows the tab's language (both texts are in the page).

    Args:
        key: A key of the string tables.
        **values: Fixed values for its `{placeholders}`.

    Returns:
        A string var.
    """
    zh, en = ZH[key], EN[key]
    if values:
        zh, en = zh.format(**values), en.format(**values)
    # Three ways: an unknown language (not detected yet, or a forged storage value) shows
    # nothing rather than the default, which would be the wrong language for half the users.
    return rx.cond(UiState.language == "zh", zh, rx.cond(UiState.language == "en", en, "")).to(str)


def language_known() -> BooleanVar:
    """True once the tab's language is one of the tables (false in the prerendered HTML)."""
    return rx.cond(UiState.language == "zh", True, UiState.language == "en").to(bool)


def moment_locale() -> Any:
    """The moment.js locale matching the tab's language (for dates and "5 minutes ago")."""
    return rx.cond(UiState.language == "zh", "zh-cn", "en")

"""The tab's language: chosen from the browser's, switchable, remembered in localStorage.

Components get their text as `tr(key)`: both languages are compiled into the page and the
switch flips between them in the browser at once. Until the language is known (the first
frames, the static export's HTML, before `detect_language` has run) `tr` is empty and the
pages show only a spinner, so a browser never paints text in the wrong language. Handlers
that put text into state (errors, toasts) use `language_of(state)` to write it in the tab's
language.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import reflex as rx
from reflex_base.vars.number import BooleanVar
from reflex_base.vars.sequence import StringVar

from chat_app.i18n import DEFAULT_LANGUAGE, EN, TABLES, ZH
from chat_app.states.safe_text import toast_success

# What "Copied" says after a copy, by what was copied: the only keys a client may ask for.
COPIED_TEXTS = {"message": "message_copied", "invite": "invite_copied", "reset": "admin_copied"}

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

    # Whether the browser lets this page write to the clipboard: only a secure page may
    # (HTTPS, or localhost). On a plain http:// LAN address Reflex's copy silently does
    # nothing, so no Copy is offered there (the text can still be selected).
    can_copy: bool = False

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
        secure = is_secure_page(self.router.page.full_raw_path)
        if secure != self.can_copy:
            self.can_copy = secure

    @rx.event
    def say_copied(self, what: str, _result: Any = None):
        """Once the browser took a copy (`copy_to_clipboard`'s callback): say so.

        A handler rather than a toast built in the page: the callback runs outside the
        page's components, where a `tr` switch (a state var) is not defined.

        Args:
            what: A key of COPIED_TEXTS; anything else shows nothing.
            _result: What the browser's write gave (nothing).

        Returns:
            The toast, in the tab's language.
        """
        key = COPIED_TEXTS.get(what) if isinstance(what, str) else None
        if key is None:
            return None
        table = TABLES.get(self.language, TABLES[DEFAULT_LANGUAGE])
        return toast_success(table[key], id="copied")

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


def is_secure_page(url: object) -> bool:
    """Whether a browser treats the page at `url` as a secure context (it may copy).

    Args:
        url: The page's address as its browser reported it.

    Returns:
        True for https://, and for http:// on localhost or a loopback address.
    """
    if not isinstance(url, str) or len(url) > 2048:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # a malformed address ("http://[::1")
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        return False


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
    return _in_tab_language(zh, en)


def _in_tab_language(zh: Any, en: Any) -> StringVar:
    # Three ways: an unknown language (not detected yet, or a forged storage value) shows
    # nothing rather than the default, which would be the wrong language for half the users.
    return rx.cond(UiState.language == "zh", zh, rx.cond(UiState.language == "en", en, "")).to(str)


def said(words: Any) -> StringVar:
    """A message a state keeps in each language (`i18n.in_every_language`), in the tab's.

    Args:
        words: A state var holding language → text ({} for no message).

    Returns:
        A string var ("" for none): a switch of language translates it at once.
    """
    return _in_tab_language(words.get("zh", ""), words.get("en", ""))


def said_by_field(words: Any, names: Iterable[str]) -> dict[str, StringVar]:
    """`said` for each field of a state var holding field name → language → text."""
    return {name: said(words.get(name, {})) for name in names}


def language_known() -> BooleanVar:
    """True once the tab's language is one of the tables (false in the prerendered HTML)."""
    return rx.cond(UiState.language == "zh", True, UiState.language == "en").to(bool)


def moment_locale() -> Any:
    """The moment.js locale matching the tab's language (for dates and "5 minutes ago")."""
    return rx.cond(UiState.language == "zh", "zh-cn", "en")

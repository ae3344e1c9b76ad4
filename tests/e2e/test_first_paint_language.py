"""Nothing in the wrong language is ever painted, from the first frame (issue 17, item 9).

Each page load in a Chinese and an English browser records every text the document shows
(title, visible text, visible placeholders) after each DOM change, from before the static
export's HTML is parsed until the page settles in its language. A Chinese browser must never
show an English word of the UI, an English one never a Chinese character: flipping the
default language cannot pass both.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from chat_app.i18n import EN, ZH
from tests.support.browser import DESKTOP, expect_chat_as, register, unique_name
from tests.support.live_app import LiveApp

# Test-side script: a MutationObserver installed before the page's own scripts run. Its
# callback runs before the browser paints the change, so every painted text is recorded.
RECORDER = """
(() => {
  const seen = [];
  window.__paintedTexts = seen;
  const visible = (element) => element.offsetParent !== null;
  const record = () => {
    const parts = [document.title || ""];
    if (document.body) {
      parts.push(document.body.innerText);
      for (const field of document.querySelectorAll("[placeholder]")) {
        if (visible(field)) parts.push(field.getAttribute("placeholder"));
      }
    }
    const text = parts.join("\\n");
    if (seen[seen.length - 1] !== text) seen.push(text);
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  document.addEventListener("DOMContentLoaded", record);
})();
"""

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# Words the other language's own table uses (the "English" / "中文" switch, "Enter", "MB").
ZH_LATIN = {word for value in ZH.values() for word in LATIN_WORD.findall(value)}
EN_CJK = {run for value in EN.values() for run in CJK_RUN.findall(value)}

LOCALES = {
    "zh": ("zh-CN", "登录", "好友", "小林"),
    "en": ("en-US", "Log in", "Friends", "Lin"),
}


def wrong_language(texts: list[str], language: str, own_words: set[str]) -> list[str]:
    """The pieces of `texts` that belong to the other language."""
    found: list[str] = []
    for text in texts:
        if language == "zh":
            found += [w for w in LATIN_WORD.findall(text) if w not in ZH_LATIN | own_words]
        else:
            found += [run for run in CJK_RUN.findall(text) if run not in EN_CJK | own_words]
    return found


def painted(page: Page) -> list[str]:
    texts = page.evaluate("window.__paintedTexts")
    assert texts, "the recorder saw nothing"
    return texts


@pytest.mark.parametrize("language", ["zh", "en"])
def test_only_the_browser_language_is_ever_painted(
    browser: Browser, app_server: LiveApp, language: str
):
    locale, login_label, friends_label, nickname = LOCALES[language]

    # A first visit to the chat page: the anonymous visitor ends on the login page.
    context = browser.new_context(locale=locale, **DESKTOP)
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.goto(app_server.frontend_url + "/")
    expect(page.locator("#login-submit")).to_have_text(login_label, timeout=20_000)
    first_visit = painted(page)

    # The login page itself, then registering and reloading the chat page.
    page.goto(app_server.frontend_url + "/auth")
    expect(page.locator("#login-submit")).to_have_text(login_label, timeout=20_000)
    auth_load = painted(page)
    username = unique_name("lang")
    register(page, app_server, username, nickname)
    expect_chat_as(page, app_server, nickname)
    page.reload()
    expect(page.locator("#current-nickname")).to_have_text(nickname, timeout=20_000)
    expect(page.locator("#tab-friends")).to_contain_text(friends_label)
    chat_reload = painted(page)
    # The toasts' region is named for screen readers in the language too (sonner's own
    # default is "Notifications").
    region = page.locator("section[aria-live='polite'][aria-label]")
    label = (ZH if language == "zh" else EN)["toasts_label"]
    expect(region).to_have_attribute("aria-label", re.compile(rf"^{label} "))

    own_words = {username, nickname}
    assert wrong_language(first_visit, language, own_words) == [], first_visit
    assert wrong_language(auth_load, language, own_words) == [], auth_load
    assert wrong_language(chat_reload, language, own_words) == [], chat_reload
    context.close()

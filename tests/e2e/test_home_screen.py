"""Adding the app to a phone's home screen: the static export serves a manifest Chromium accepts.

`app_server`'s frontend is a `reflex export` served by a plain static server, as a static
host would serve it; the manifest and its icons are files of assets/.
"""

from __future__ import annotations

import io
import json
import urllib.request
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.live_app import LiveApp


def _get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local test server)
        return response.read(), response.headers.get("content-type", "")


def test_the_static_export_serves_a_valid_manifest_that_the_pages_link(
    page: Page, app_server: LiveApp
):
    body, _type = _get(app_server.frontend_url + "/manifest.webmanifest")
    manifest = json.loads(body)
    assert (manifest["name"], manifest["short_name"]) == ("Chat", "Chat")
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    for colour in (manifest["theme_color"], manifest["background_color"]):
        assert colour.startswith("#")
        assert len(colour) == 7
    purposes = set()
    for icon in manifest["icons"]:
        data, content_type = _get(app_server.frontend_url + icon["src"])
        picture = Image.open(io.BytesIO(data))
        assert (picture.format, content_type, icon["type"]) == ("PNG", "image/png", "image/png")
        assert "x".join(map(str, picture.size)) == icon["sizes"], icon["src"]
        purposes.add(icon["purpose"])
        if icon["purpose"] == "maskable":
            # A maskable icon fills its square: launchers cut it to their own shape.
            assert picture.convert("RGBA").getchannel("A").getextrema() == (255, 255)
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}

    page.goto(app_server.frontend_url + "/auth")
    expect(page.locator('head link[rel="manifest"]')).to_have_attribute(
        "href", "/manifest.webmanifest"
    )
    themes = page.locator('head meta[name="theme-color"]')
    expect(themes).to_have_count(2)
    assert {themes.nth(n).get_attribute("media") for n in range(2)} == {
        "(prefers-color-scheme: light)",
        "(prefers-color-scheme: dark)",
    }
    # Chromium itself fetches and parses the linked manifest without a complaint.
    found: dict[str, Any] = page.context.new_cdp_session(page).send("Page.getAppManifest")
    assert found["url"] == app_server.frontend_url + "/manifest.webmanifest"
    assert found["errors"] == []
    assert json.loads(found["data"])["display"] == "standalone"

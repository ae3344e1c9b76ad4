"""Security headers on every answer; the CSP hashes exactly the built pages' inline scripts."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_app.http.security_headers import (
    content_security_policy,
    inline_script_hashes,
    main,
    security_headers,
)

COLOUR_MODE = b"(function(){document.documentElement.classList.add('dark')})()"


def sha(body: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"


def build(root: Path, script: bytes = COLOUR_MODE) -> Path:
    """A fake export: one page with an inline script, one with an external one."""
    root.mkdir(exist_ok=True)
    (root / "index.html").write_bytes(
        b"<html><head><script>" + script + b"</script>"
        b'<script type="module" src="/assets/app.js"></script></head></html>'
    )
    (root / "auth").mkdir(exist_ok=True)
    (root / "auth" / "index.html").write_bytes(b'<script type="module">import("/a.js")</script>')
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "x.html").write_bytes(b"<script>not a page</script>")
    return root


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_only_the_pages_inline_scripts_are_hashed(tmp_path: Path):
    hashes = inline_script_hashes(build(tmp_path / "site"))
    assert hashes == sorted([sha(COLOUR_MODE), sha(b'import("/a.js")')])
    assert inline_script_hashes(tmp_path / "missing") == []


def test_the_policy_has_no_wildcard_no_inline_script_and_no_framing(tmp_path: Path):
    policy = directives(content_security_policy(inline_script_hashes(build(tmp_path / "s"))))
    assert "*" not in " ".join(policy.values())
    assert "'unsafe-inline'" not in policy["script-src"]
    assert sha(COLOUR_MODE) in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    api = directives(content_security_policy([], "https://api.example.org"))
    assert api["connect-src"] == "'self' https://api.example.org wss://api.example.org"


def test_every_answer_carries_the_headers_and_an_inner_value_wins(tmp_path: Path):
    site = build(tmp_path / "site")

    def own_csp(request):
        return PlainTextResponse("x", headers={"Content-Security-Policy": "sandbox"})

    inner = Starlette(
        routes=[
            Route("/", lambda request: PlainTextResponse("page")),
            Route("/download", own_csp),
        ]
    )
    client = TestClient(security_headers(site)(inner))
    page = client.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert sha(COLOUR_MODE) in page.headers["content-security-policy"]
    assert client.get("/missing").headers["x-frame-options"] == "DENY"
    assert client.get("/download").headers.get_list("content-security-policy") == ["sandbox"]

    # A rebuild changes the inline scripts: the policy follows without a restart.
    build(site, b"console.log('rebuilt')")
    index = site / "index.html"
    stat = index.stat()
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert sha(b"console.log('rebuilt')") in client.get("/").headers["content-security-policy"]


def test_the_command_prints_what_a_static_host_must_send(tmp_path: Path):
    site = build(tmp_path / "site")
    lines = main([str(site)]).splitlines()
    assert lines[0].startswith('add_header Content-Security-Policy "default-src')
    assert lines[0].endswith('" always;')
    assert 'add_header X-Frame-Options "DENY" always;' in lines
    headers = json.loads(main([str(site), "--json", "--api-url", "https://api.example.org"]))
    assert set(headers) == {
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
    }
    assert "wss://api.example.org" in headers["Content-Security-Policy"]


def test_the_command_fills_an_azure_static_web_apps_config(tmp_path: Path):
    site = build(tmp_path / "site")
    config = tmp_path / "staticwebapp.config.json"
    config.write_text(json.dumps({"navigationFallback": {"rewrite": "/404.html"}}))
    merged = json.loads(main([str(site), "--staticwebapp", str(config)]))
    assert merged["navigationFallback"] == {"rewrite": "/404.html"}
    assert merged["globalHeaders"]["X-Frame-Options"] == "DENY"
    assert sha(COLOUR_MODE) in merged["globalHeaders"]["Content-Security-Policy"]

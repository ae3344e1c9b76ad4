"""Security headers on every answer of the backend, pages included (single-port server).

- `Content-Security-Policy`: scripts only from this origin plus the exact inline scripts
  of the built pages (their sha256 hashes, read from the built HTML: Reflex's colour-mode
  script, React Router's hydration and scroll-restoration scripts), so an injected
  `<script>` or `onerror=` never runs; no plugins, no `<base>`, no framing. It keeps
  `'unsafe-eval'`, which Reflex's own client needs for server-sent toasts (see below).
  `style-src` keeps `'unsafe-inline'`: Radix Themes and Emotion write `<style>` elements
  and `style=""` attributes at run time, and CSS cannot run script.
- `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no site can frame the chat
  (clickjacking); `Referrer-Policy: no-referrer`: a signed download link in the address
  bar never travels to another site; `X-Content-Type-Options: nosniff`.

An inner answer's own value for a header wins (the download route sets its own).
`python -m chat_app.http.security_headers .web/build/client [--api-url URL] [--json]`
(or `--staticwebapp deploy/staticwebapp.config.json`)
prints the same headers for a static export (nginx `add_header` lines, or JSON).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from chat_app.http.asgi import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_SRC_ATTRIBUTE = re.compile(rb"\bsrc\s*=", re.IGNORECASE)

FIXED_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def inline_script_hashes(static_dir: Path) -> list[str]:
    """The CSP hash sources of every inline script in the built pages.

    Args:
        static_dir: The built frontend (`.web/build/client`).

    Returns:
        Sorted `'sha256-…'` sources; empty when there is no build (backend only).
    """
    hashes: set[str] = set()
    if not static_dir.is_dir():
        return []
    pages = [
        p for p in static_dir.rglob("*.html") if "assets" not in p.relative_to(static_dir).parts
    ]
    for page in pages:
        for attributes, body in _INLINE_SCRIPT.findall(page.read_bytes()):
            if _SRC_ATTRIBUTE.search(attributes) or not body:
                continue
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return sorted(hashes)


def content_security_policy(script_hashes: list[str], api_origin: str | None = None) -> str:
    """The policy the production build runs under.

    Args:
        script_hashes: From `inline_script_hashes`.
        api_origin: The backend's origin when the pages come from another host (a static
            export built with REFLEX_API_URL elsewhere); None when they share one.

    Returns:
        The header value.
    """
    backend = []
    if api_origin:
        secure = api_origin.startswith("https://")
        host = api_origin.split("://", 1)[1].rstrip("/")
        backend = [api_origin.rstrip("/"), f"{'wss' if secure else 'ws'}://{host}"]
    directives = {
        "default-src": ["'self'"],
        # 'unsafe-eval': Reflex 0.10.1 sends every server-made client action (each toast,
        # scroll_to) as JavaScript source that its state.js `eval`s (`_call_script`,
        # `_call_function`); without it no toast would ever show. Those strings come
        # only from the server, user text inside them as escaped literals (safe_text).
        # What the policy exists for still holds: no injected `<script>`, no inline
        # handler, no script from another host, and no 'unsafe-inline'.
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        # Avatars, thumbnails and downloads come from /files/ on this origin.
        "img-src": ["'self'", *backend[:1]],
        "font-src": ["'self'"],
        # The /_event websocket and /_upload on this origin ('self' covers ws:/wss:).
        "connect-src": ["'self'", *backend],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class _PolicyCache:
    """The policy for the pages currently on disk, recomputed when a page file changes."""

    def __init__(self, static_dir: Path | None) -> None:
        self.static_dir = static_dir
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._policy = content_security_policy([])

    def _current_stamp(self) -> tuple[tuple[str, int, int], ...]:
        if self.static_dir is None or not self.static_dir.is_dir():
            return ()
        stamp = []
        for page in sorted(self.static_dir.glob("*.html")):
            info = page.stat()
            stamp.append((page.name, info.st_mtime_ns, info.st_size))
        return tuple(stamp)

    def policy(self) -> str:
        stamp = self._current_stamp()
        if stamp != self._stamp and self.static_dir is not None:
            self._policy = content_security_policy(inline_script_hashes(self.static_dir))
            self._stamp = stamp
        return self._policy


def security_headers(static_dir: Path | None) -> Callable[[ASGIApp], ASGIApp]:
    """Make the transformer that adds the headers to every HTTP answer.

    Args:
        static_dir: The built frontend the server serves (None: backend only).

    Returns:
        A function from the ASGI app to the same app with the headers.
    """
    cache = _PolicyCache(static_dir)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers") or [])
                    present = {key.lower() for key, _ in headers}
                    wanted = {**FIXED_HEADERS, "content-security-policy": cache.policy()}
                    for name, value in wanted.items():
                        if name.encode() not in present:
                            headers.append((name.encode(), value.encode()))
                    message["headers"] = headers
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


def static_host_headers(static_dir: Path, api_origin: str | None = None) -> dict[str, str]:
    """The headers a static host must send with an export's pages.

    Args:
        static_dir: The export (`.web/build/client`).
        api_origin: The backend's origin if it is not the pages' own.

    Returns:
        Header names and values.
    """
    policy = content_security_policy(inline_script_hashes(static_dir), api_origin)
    return {"Content-Security-Policy": policy, **{k.title(): v for k, v in FIXED_HEADERS.items()}}


def main(argv: list[str]) -> str:
    """`python -m chat_app.http.security_headers EXPORT_DIR [--api-url URL] [--json]`.

    Args:
        argv: The command-line arguments.

    Returns:
        nginx `add_header` lines (an include file), or with --json an object for a host's
        header settings (Azure Static Web Apps' `globalHeaders`).
    """
    parser = argparse.ArgumentParser(description="Security headers for a static export.")
    parser.add_argument("export_dir", type=Path, nargs="?", default=Path(".web/build/client"))
    parser.add_argument("--api-url", help="the backend's origin when it is another host")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.add_argument(
        "--staticwebapp",
        type=Path,
        help="print this Azure Static Web Apps config with the headers as globalHeaders",
    )
    args = parser.parse_args(argv)
    if not (args.export_dir / "index.html").is_file():
        parser.error(f"{args.export_dir} holds no built pages (run `make export` first)")
    headers = static_host_headers(args.export_dir, args.api_url)
    if args.staticwebapp:
        config = json.loads(args.staticwebapp.read_text())
        config["globalHeaders"] = headers
        return json.dumps(config, indent=2) + "\n"
    if args.json:
        return json.dumps(headers, indent=2) + "\n"
    return "".join(f'add_header {name} "{value}" always;\n' for name, value in headers.items())


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))

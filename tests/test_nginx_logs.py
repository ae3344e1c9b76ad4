"""The nginx configurations in deploy/ log addresses without the secrets some of them carry.

nginx is not installed where the tests run; its map is read here and applied as nginx
applies it (the first regex that matches, in order; `$name` from the named groups).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chat_app import routes

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
CONFIGS = sorted(DEPLOY.glob("nginx*.conf"))
_MAP = re.compile(r"map \$request_uri \$chat_logged_uri \{(?P<body>.*?)\n\}", re.S)


def _logged(config: str, uri: str) -> str:
    """What `$chat_logged_uri` is for `uri` under `config`'s map."""
    match = _MAP.search(config)
    assert match, "no map of $request_uri to $chat_logged_uri"
    default = uri
    for line in match.group("body").strip().splitlines():
        pattern, value = line.strip().rstrip(";").split()
        if pattern == "default":
            default = value.replace("$request_uri", uri)
            continue
        found = re.search(pattern.lstrip("~").replace("(?<", "(?P<"), uri)
        if found:
            for name, text in found.groupdict().items():
                value = value.replace(f"${name}", text)
            return value
    return default


def test_every_configuration_is_checked():
    assert [path.name for path in CONFIGS] == [
        "nginx-single-port.conf",
        "nginx-static.conf",
        "nginx.conf",
    ]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.name)
def test_each_server_logs_with_the_redacted_format(path: Path):
    config = path.read_text()
    servers = config.count("\nserver {")
    assert servers >= 1
    assert config.count("access_log /var/log/nginx/access.log chat_redacted;") == servers
    assert "$chat_logged_uri" in config.split("log_format chat_redacted", 1)[1]
    assert "$request " not in config  # the raw request line names the token


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.name)
@pytest.mark.parametrize(
    ("uri", "logged"),
    [
        (f"{routes.RESET_PREFIX}/s3cretT0ken", f"{routes.RESET_PREFIX}/..."),
        (f"{routes.INVITE_PREFIX}/s3cretT0ken?x=1", f"{routes.INVITE_PREFIX}/..."),
        ("/files/7/file?u=1&v=2&e=3&s=abcdef", "/files/7/file?..."),
        ("/files/7/thumb", "/files/7/thumb"),
        ("/auth/", "/auth/"),
        ("/reset", "/reset"),
        ("/assets/app-1a2b.js", "/assets/app-1a2b.js"),
    ],
)
def test_a_token_or_signature_is_not_logged(path: Path, uri: str, logged: str):
    assert _logged(path.read_text(), uri) == logged

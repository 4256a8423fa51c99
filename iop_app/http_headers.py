"""Security headers on every HTTP response of the app (pages, static assets, /ping).

`rx.App(api_transformer=security_headers)` wraps the whole backend ASGI app, and in
`reflex run --env prod` that app also serves the built frontend, so one middleware
covers the pages, their assets and the API. Websocket traffic (the Reflex event
channel, scope type "websocket") passes through untouched.

Not covered: CORS preflight (OPTIONS) answers, which Reflex's outermost CORS layer
sends before the request reaches this middleware; they carry no body.

The Content-Security-Policy is as strict as the built Reflex app allows:

- script-src: only our own origin plus the SHA-256 hashes of the inline scripts that
  the build writes into its prerendered HTML (React Router's scroll restoration and
  route manifest, React's streaming helpers, Reflex's theme script). No
  'unsafe-inline' and no 'unsafe-eval': nothing in the app uses rx.call_script
  (Reflex runs those through eval), so an injected script cannot run.
- style-src allows 'unsafe-inline': Emotion (every styled Reflex component), Radix
  Themes, the toaster and plotly insert <style> elements and style attributes at run
  time, which neither hashes nor nonces can cover for a prebuilt static bundle.
  Styles cannot run script; the damage they could do (reading the page through
  CSS selectors) needs a request out, and img-src/font-src/connect-src only reach
  our own origin.
- connect-src: our origin and its websocket (ws:// or wss:// of IOP_ORIGIN).
- frame-ancestors 'none' (no clickjacking); base-uri, object-src, everything else 'none'.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HSTS = "max-age=31536000; includeSubDomains"
# <script ...>body</script> without a src attribute: the inline scripts a hash must allow.
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SRC_ATTR = re.compile(r"\bsrc\s*=", re.I)


def app_origin() -> str:
    """The origin browsers use (IOP_ORIGIN), as rxconfig.py computes it."""
    port = os.environ.get("IOP_PORT") or os.environ.get("REFLEX_FRONTEND_PORT") or "3000"
    return os.environ.get("IOP_ORIGIN") or f"http://localhost:{port}"


def served_over_https(origin: str | None = None) -> bool:
    """True when browsers reach the app over HTTPS (TLS ends at a reverse proxy)."""
    return (origin or app_origin()).lower().startswith("https://")


def inline_script_hashes(static_dir: Path) -> list[str]:
    """CSP source expressions ('sha256-...') for every inline script in the built HTML."""
    hashes: set[str] = set()
    if static_dir.is_dir():
        for html in static_dir.rglob("*.html"):
            # read_text turns CR LF into LF, as the HTML parser does before the browser hashes.
            for attrs, body in _INLINE_SCRIPT.findall(html.read_text(encoding="utf-8", errors="replace")):
                if _SRC_ATTR.search(attrs) or not body:
                    continue
                digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
                hashes.add(f"'sha256-{digest}'")
    return sorted(hashes)


def content_security_policy(origin: str, script_hashes: list[str]) -> str:
    parts = urlsplit(origin)
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    directives = [
        "default-src 'none'",
        "script-src " + " ".join(["'self'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",  # see the module docstring
        "img-src 'self' data: blob:",  # plotly draws its mode bar icons and exports from data:/blob:
        "font-src 'self' data:",
        f"connect-src 'self' {websocket}",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
    if parts.scheme == "https":
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def security_headers_for(origin: str, script_hashes: list[str]) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(origin, script_hashes),
        "x-content-type-options": "nosniff",
        # URLs name clients (/staff/clients/12): send no referrer anywhere.
        "referrer-policy": "no-referrer",
        # For browsers without frame-ancestors.
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if served_over_https(origin):
        headers["strict-transport-security"] = HSTS
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def _built_frontend_dir() -> Path:
    """Where `reflex run --env prod` serves the built pages from (as reflex.utils.exec does)."""
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config

    return (prerequisites.get_web_dir() / constants.Dirs.STATIC / get_config().frontend_path.strip("/")).resolve()


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to HTTP responses, never touches websockets."""

    def __init__(self, app: ASGIApp, *, origin: str | None = None,
                 static_dir: Callable[[], Path] | Path | None = None) -> None:
        self.app = app
        self.origin = origin or app_origin()
        self._static_dir = static_dir if static_dir is not None else _built_frontend_dir
        self._headers: list[tuple[bytes, bytes]] | None = None
        self._built_at: float | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        # The build finishes before the server starts and does not change while it runs;
        # look again only if it is rebuilt (its index.html changes).
        if callable(self._static_dir):
            self._static_dir = self._static_dir()  # resolved once: the config does not change
        static_dir = self._static_dir
        index = static_dir / "index.html"
        built_at = index.stat().st_mtime if index.exists() else None
        if self._headers is None or built_at != self._built_at:
            self._headers = security_headers_for(self.origin, inline_script_hashes(static_dir))
            self._built_at = built_at
        return self._headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ours = self.headers()
                names = {name for name, _ in ours}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + ours
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(app: ASGIApp) -> ASGIApp:
    """The api_transformer for rx.App."""
    return SecurityHeaders(app)

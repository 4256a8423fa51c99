"""Security headers: every HTTP response gets them, websockets pass untouched, the CSP
allows exactly the built pages' inline scripts, HTTPS adds HSTS and a Secure cookie.
(tests/browser/test_security_headers.py checks the same against the real server.)"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from iop_app.http_headers import SecurityHeaders, inline_script_hashes

ROOT = Path(__file__).resolve().parents[1]
INLINE = "window.__ready = true;"


def _sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


async def _echo(websocket):
    await websocket.accept()
    await websocket.send_text("echo:" + await websocket.receive_text())
    await websocket.close()


def _client(tmp_path: Path, origin: str, accepts: list | None = None) -> TestClient:
    (tmp_path / "index.html").write_text(
        f'<html><head><script>{INLINE}</script><script type="module" src="/assets/app.js"></script>'
        "</head><body></body></html>")
    inner = Starlette(routes=[
        Route("/ping", lambda request: PlainTextResponse("pong", headers={"X-Frame-Options": "SAMEORIGIN"})),
        WebSocketRoute("/_event", _echo),
    ])

    async def recording(scope, receive, send):  # what the websocket side sends, as it reaches the server
        async def record(message):
            if accepts is not None and message["type"] == "websocket.accept":
                accepts.append(message)
            await send(message)
        await inner(scope, receive, record)

    async def outer(scope, receive, send):
        await SecurityHeaders(recording, origin=origin, static_dir=tmp_path)(scope, receive, send)

    return TestClient(outer)


def test_http_responses_carry_the_headers(tmp_path):
    response = _client(tmp_path, "http://localhost:3000").get("/ping")
    assert response.text == "pong"
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'"
    assert directives["script-src"].split() == ["'self'", _sha(INLINE)]  # no unsafe-inline, no unsafe-eval
    assert "unsafe" not in directives["script-src"]
    assert directives["connect-src"].split() == ["'self'", "ws://localhost:3000"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"  # ours replaces the app's weaker one
    assert "strict-transport-security" not in response.headers  # plain http: no HSTS


def test_https_origin_adds_hsts_and_wss(tmp_path):
    response = _client(tmp_path, "https://iop.example.org").get("/ping")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "connect-src 'self' wss://iop.example.org" in response.headers["content-security-policy"]


def test_websocket_passes_through_untouched(tmp_path):
    accepts: list = []
    with _client(tmp_path, "https://iop.example.org", accepts).websocket_connect("/_event") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "echo:hello"
    assert accepts and all(
        name.lower() not in (b"content-security-policy", b"strict-transport-security")
        for message in accepts for name, _ in message.get("headers") or [])


def test_hashes_cover_every_inline_script_of_the_build(tmp_path):
    (tmp_path / "a.html").write_text("<script>one()</script><script src='/x.js'></script>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text('<script id="_R_">two()</script>\r\n<script>\r\nthree()\r\n</script>')
    # CR LF counts as LF, as the browser's HTML parser reads it before hashing.
    assert inline_script_hashes(tmp_path) == sorted([_sha("one()"), _sha("two()"), _sha("\nthree()\n")])


def test_the_app_wraps_everything_in_the_headers():
    from iop_app.http_headers import security_headers
    from iop_app.iop_app import app

    assert app.api_transformer is security_headers


def _cookie_secure(origin: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "IOP_ORIGIN"}
    if origin:
        env["IOP_ORIGIN"] = origin
    env["PYTHONPATH"] = str(ROOT)
    code = ("from iop_app.state.base import SessionState; "
            "print(SessionState.get_fields()['session_token'].default.options().get('secure'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_session_cookie_is_secure_over_https_only():
    assert _cookie_secure("https://iop.example.org") == "True"
    assert _cookie_secure("http://localhost:3000") == "None"


def test_needs_page_moves_focus_without_eval(session, factory, signed_in_state):
    """Reflex runs rx.call_script through eval, which the CSP blocks: the move handlers
    name the button to focus in state instead (components/focus.py draws the effect)."""
    from iop_app.services import needs
    from iop_app.state.client import NeedsState
    from tests.helpers import call

    client = factory.client()
    user = factory.client_user(client)
    for label in ("Staying sober", "Stable housing", "Finding steady work"):
        needs.add_need(session, user, client.id, label, "other")
    state = signed_in_state(NeedsState, user)
    call(state, "load")
    assert state.focus_request == ""
    housing = state.rows[1].id
    assert call(state, "move_down", housing) is None  # no script sent to the browser
    # Now last: its Down button is disabled, so focus goes to its Up button.
    assert state.focus_request.endswith(f":need-up-{housing}")
    call(state, "move_up", housing)
    first = state.focus_request
    assert first.endswith(f":need-up-{housing}")
    call(state, "move_up", housing)  # now first: Up disabled, focus to Down
    assert state.focus_request.endswith(f":need-down-{housing}")
    call(state, "move_down", housing)
    call(state, "move_down", housing)
    call(state, "move_up", housing)  # the middle again, moved up: the same button as `first`
    assert state.focus_request.endswith(f":need-up-{housing}") and state.focus_request != first  # asked again

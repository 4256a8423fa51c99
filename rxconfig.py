"""Reflex configuration for the IOP app.

Every value that differs between a developer run, the browser-test fixture and
CI comes from the environment:

- REFLEX_DB_URL / DATABASE_URL: database URL (default: SQLite in ./data/iop.db)
- IOP_ORIGIN: the browser origin allowed by CORS (default http://localhost:3000).
  An https:// origin (TLS ended at a reverse proxy) also turns on HSTS and the
  session cookie's Secure flag (iop_app/http_headers.py, state/base.py).
- IOP_PORT (or REFLEX_FRONTEND_PORT / REFLEX_BACKEND_PORT): the port. In
  `reflex run --env prod` (Reflex 0.10.x) frontend and backend share ONE port.
- REFLEX_TRUSTED_PROXY_HOPS: reverse proxies in front of the app (default 0). The
  sign-in throttle counts failures by client address; behind a proxy without this
  every client would share the proxy's address.

State manager: memory. Page states hold what a user sees of health records; the
default disk manager pickles every tab's state into `.states/` and keeps it for
an hour. In memory it dies with the process and is dropped an hour after a tab's
last event (sooner in effect: sign-out, timeouts and reloads by another user
reset it, see state/base.py). Memory mode needs exactly ONE backend process (what
Reflex runs without Redis; do not set GRANIAN_WORKERS); several workers will need
Redis, which a later issue adds.
"""

import os
from pathlib import Path

import reflex as rx
from reflex.plugins import SitemapPlugin

PROJECT_DIR = Path(__file__).resolve().parent
DATA_DIR = PROJECT_DIR / "data"
DATA_DIR.mkdir(parents=True, exist_ok=True)

DB_URL = (
    os.environ.get("REFLEX_DB_URL")
    or os.environ.get("DATABASE_URL")
    or f"sqlite:///{DATA_DIR / 'iop.db'}"
)

PORT = int(
    os.environ.get("IOP_PORT")
    or os.environ.get("REFLEX_FRONTEND_PORT")
    or os.environ.get("REFLEX_BACKEND_PORT")
    or 3000
)
ORIGIN = os.environ.get("IOP_ORIGIN", f"http://localhost:{PORT}")

config = rx.Config(
    app_name="iop_app",
    db_url=DB_URL,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=PORT,
    backend_port=PORT,
    cors_allowed_origins=[ORIGIN],
    # No pickled health data on disk (see above); one backend process.
    state_manager_mode=rx.constants.StateManagerMode.MEMORY,
    # Explicit (implicit enablement is deprecated and warns on every build).
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium"))],
    # The sitemap plugin only warns about a missing deploy_url; we don't need it.
    disable_plugins=[SitemapPlugin],
)

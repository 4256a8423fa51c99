"""Browser (end-to-end) test fixtures: a live `reflex run --env prod` server + Playwright.

How it works
------------
* ``live_server`` (session): takes an exclusive ``fcntl.flock`` on
  ``<project>/.web.build.lock`` for the whole session, so concurrent test sessions
  in this checkout never build into / serve from the same Reflex web dir at once.
  The server is built in ``<project>/.web-test`` (``REFLEX_WEB_WORKDIR``), separate
  from ``.web`` used by ``make run``, so a developer's running app is never rebuilt
  under their feet.
* A fresh SQLite file in a temp dir gets ``python -m iop_app.manage demo`` (migrate +
  demo data, as ``make run`` does; with ``REFLEX_DB_URL`` pointing at it).
* In Reflex 0.10 prod mode frontend and backend share ONE port; the backend URL
  (``api_url`` = ``http://localhost:<port>``) is baked into ``.web*/env.json`` by
  the build that every ``reflex run --env prod`` performs anyway. So a free port
  is picked per session at no extra cost (override with ``IOP_TEST_PORT``).
* The server runs in its own process group, killed at the end of the session.

Environment knobs: IOP_TEST_PORT, IOP_TEST_SERVER_TIMEOUT (s, default 900),
IOP_TEST_LOCK_TIMEOUT (s, default 3600), IOP_TEST_WEB_DIR, IOP_CHROMIUM,
IOP_TEST_KEEP_TMP=1 (keep the temp dir with server.log and the DB),
IOP_TEST_SEED=0 (only migrate: empty DB).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import ROOT, new_page

BROWSER_DIR = Path(__file__).resolve().parent
LOCK_FILE = ROOT / ".web.build.lock"
CHROMIUM = os.environ.get("IOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Chromium still looks up accounts.google.com / update.googleapis.com despite the
    # flags above: make every name but localhost unresolvable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]

# Keep Reflex off the network (see Makefile for the reasons).
REFLEX_OFFLINE_ENV = {
    "REFLEX_USE_SYSTEM_BUN": "true",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    "REFLEX_HTTP_CLIENT_BIND_ADDRESS": "0.0.0.0",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "PYTHONUNBUFFERED": "1",
}


# --------------------------------------------------------------------------- markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class LiveServer:
    url: str  # frontend base URL, no trailing slash (frontend and backend share it)
    db_url: str
    port: int
    log_path: Path

    def log_tail(self, n: int = 60) -> str:
        return _tail(self.log_path, n)


def _tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
        return True


def _npm_registry() -> str:
    if reg := os.environ.get("NPM_CONFIG_REGISTRY"):
        return reg
    try:
        out = subprocess.run(
            ["npm", "config", "get", "registry"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out or "https://registry.npmjs.org/"


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(REFLEX_OFFLINE_ENV)
    env["NPM_CONFIG_REGISTRY"] = _npm_registry()
    path = [str(ROOT / ".tools" / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join(path + [env.get("PATH", "")])
    return env


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return 200 <= resp.status < 400
    except (urllib.error.URLError, OSError):
        return False


def _acquire_lock(timeout: float):
    fd = os.open(LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
        except OSError:
            holder = "?"
        sys.stderr.write(f"\n[live_server] waiting for {LOCK_FILE} (held by: {holder}) ...\n")
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    pytest.fail(f"timed out waiting {timeout:.0f}s for {LOCK_FILE} (held by: {holder})")
                time.sleep(1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}\n".encode(), 0)
    return fd


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers
        return
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # whatever is left of the group (e.g. backend workers)
        os.killpg(proc.pid, signal.SIGKILL)


def _manage(cmd: str, env: dict[str, str], log) -> None:
    if not (ROOT / "iop_app" / "manage.py").exists():
        log.write(f"[live_server] iop_app/manage.py missing: skipping {cmd}\n")
        return
    res = subprocess.run(
        [sys.executable, "-m", "iop_app.manage", cmd],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    log.write(f"$ python -m iop_app.manage {cmd}\n{res.stdout}{res.stderr}\n")
    log.flush()
    if res.returncode != 0:
        pytest.fail(f"`python -m iop_app.manage {cmd}` failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def live_server():
    lock_fd = _acquire_lock(float(os.environ.get("IOP_TEST_LOCK_TIMEOUT", "3600")))
    tmp = Path(tempfile.mkdtemp(prefix="iop-live-"))
    log_path = tmp / "server.log"
    proc = None
    try:
        db_url = f"sqlite:///{tmp / 'iop.db'}"
        if port_env := os.environ.get("IOP_TEST_PORT"):
            port = int(port_env)
            if not _port_is_free(port):
                pytest.fail(f"IOP_TEST_PORT={port} is already in use")
        else:
            port = _free_port()
        url = f"http://localhost:{port}"

        env = _base_env()
        env.update({
            "REFLEX_DB_URL": db_url,
            "IOP_PORT": str(port),
            "IOP_ORIGIN": url,
            "REFLEX_FRONTEND_PORT": str(port),
            "REFLEX_BACKEND_PORT": str(port),
            "REFLEX_WEB_WORKDIR": os.environ.get("IOP_TEST_WEB_DIR", str(ROOT / ".web-test")),
            "REFLEX_STATES_WORKDIR": str(tmp / "states"),
            "REFLEX_UPLOADED_FILES_DIR": str(tmp / "uploaded_files"),
        })
        env.pop("DATABASE_URL", None)

        with open(log_path, "w") as log:
            # `demo` seeds only a database it creates, so not after a separate migrate.
            _manage("demo" if os.environ.get("IOP_TEST_SEED", "1") != "0" else "migrate", env, log)

        started = time.monotonic()
        log = open(log_path, "a")  # noqa: SIM115  (handed to the server process, closed right after)
        proc = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod",
             "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()

        deadline = started + float(os.environ.get("IOP_TEST_SERVER_TIMEOUT", "900"))
        while True:
            if proc.poll() is not None:
                pytest.fail(f"reflex run exited with {proc.returncode}:\n{_tail(log_path)}")
            if _http_ok(f"{url}/ping") and _http_ok(f"{url}/"):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"live server not up after {deadline - started:.0f}s:\n{_tail(log_path)}")
            time.sleep(0.5)
        sys.stderr.write(f"\n[live_server] {url} up in {time.monotonic() - started:.1f}s (log: {log_path})\n")

        yield LiveServer(url=url, db_url=db_url, port=port, log_path=log_path)
    finally:
        if proc is not None:
            _kill_group(proc)
        if os.environ.get("IOP_TEST_KEEP_TMP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: run `make chromium` (apt-get install -y chromium)")
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture
def page(browser, live_server):
    context, pg = new_page(browser, live_server, 1280, 800)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context, pg = new_page(browser, live_server, 375, 740, is_mobile=True, has_touch=True)
    yield pg
    context.close()

"""Playwright driving Debian's Chromium against the app served from the test database.

The server runs in a thread on the session's test database, which already holds the reference
lists and the demo office (committed once in `django_db_setup`). pytest-django's `live_server`
is not used: it flushes the database after every test, groups and demo included.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# The user guide's pictures are refreshed only on request (`make screenshots`), so that a test run
# leaves the working tree clean.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Pictures the other docs show (security.md, architecture.md: e.g. a provider's one-time link page).
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def in_worker(function):
    """Runs ORM code off Playwright's event-loop thread, where Django refuses it; returns its result."""
    result = {}

    def work():
        try:
            result["value"] = function()
        finally:
            connections.close_all()  # the thread's own connection; PostgreSQL counts it until closed

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return result.get("value")


@pytest.fixture
def created_account(request, django_db_blocker):
    """The username of an account a test creates through the pages (the module's NEWCOMER), deleted
    after the test: browser tests commit."""
    username = request.module.NEWCOMER
    yield username

    def delete():
        with django_db_blocker.unblock():
            get_user_model().objects.filter(username=username).delete()

    in_worker(delete)


@pytest.fixture(scope="session")
def app_server(django_db_setup):
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietRequestHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def demo_site(app_server, django_db_blocker):
    """The app's base URL; the server thread may use the test database during the test."""
    with django_db_blocker.unblock():
        yield app_server


@pytest.fixture(scope="session")
def browser(app_server):
    # After the database set-up: that runs ORM code, which refuses to run inside Playwright's loop.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every browser test also guards the Content-Security-Policy: Chromium reports each inline
    # script, style attribute or outside resource it refused as a console message.
    csp_violations = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def screenshot(page):
    def take(name: str, *, for_docs: bool = False, of=None, folder: Path = DOCS_SCREENSHOTS):
        """`of`: another page than the test's (e.g. a second browser context); `folder`: where the docs keep it."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (of or page).screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        if for_docs and os.environ.get("TSUNAGU_DOCS_SCREENSHOTS"):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCREENSHOTS / f"{name}.png", folder / f"{name}.png")

    return take

"""A real HTTP server for the app and a real headless Chromium driving it (Playwright for Python)."""
import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class LiveServer:
    """The Flask app served over real HTTP on loopback, in a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()


def launch():
    """(playwright, browser), or a skip with a reason (a failure under CI)."""
    in_ci = os.environ.get("CI") == "true"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("playwright is required under CI")
        pytest.skip("playwright is not installed")
    if not shutil.which(CHROMIUM):
        if in_ci:
            pytest.fail(f"{CHROMIUM} is required under CI (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                 args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
    return pw, browser


@contextmanager
def browser_page():
    """A fresh headless Chromium page that keeps console errors (page.console_errors) and the text of
    any dialog it dismissed (page.dialogs)."""
    pw, browser = launch()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    try:
        yield page
    finally:
        context.close()
        browser.close()
        pw.stop()

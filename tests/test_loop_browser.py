"""The whole loop as a new user sees it after `make run`: the real `python -m bot serve` with the built-in
store, its first-run admin password read from the terminal, a texter on / in one headless Chromium
window and a worker in another. The reply appears on the texter's page without a reload."""
import os
import queue
import re
import subprocess
import sys
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.browser import launch
from tests.helpers.common import ROOT
from tests.redis_server import free_port


@pytest.fixture
def served(tmp_path):
    """`python -m bot serve` as `make run` starts it (staffed around the clock, so the reply does not
    depend on the hour the test runs); yields (url, admin password)."""
    port = free_port()
    # No [staff] hours at all means always staffed.
    config, found = re.subn(r"^hours = \{.*\}$", "", (ROOT / "config.toml").read_text(), flags=re.M)
    assert found == 1
    (tmp_path / "config.toml").write_text(config)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BOT_SECRET_KEY")}
    env.update(BOT_CONFIG=str(tmp_path / "config.toml"), BOT_CONTENT=str(ROOT / "content"))
    proc = subprocess.Popen([sys.executable, "-m", "handlers", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    password, ready, seen = None, False, []
    deadline = time.monotonic() + 60
    while not (password and ready) and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        found = re.search(r"password:\s+(\S+)", line)
        password = password or (found and found.group(1))
        ready = ready or "Running on" in line or f":{port}" in line and "Open" in line
    try:
        assert password, "the first start printed an admin password; output was:\n" + "".join(seen)
        yield f"http://127.0.0.1:{port}", password
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_texter_asks_for_a_person_staff_reply_appears_live(served):
    url, password = served
    pw, browser = launch()
    try:
        texter = browser.new_context(viewport={"width": 360, "height": 740}).new_page()   # a phone
        worker = browser.new_context().new_page()
        for page in (texter, worker):
            page.set_default_timeout(15_000)
        navigations = []
        texter.on("framenavigated", lambda frame: navigations.append(frame.url))

        texter.goto(url + "/")
        for selector in ("header", "#send", "#ask-person", ".staff-link"):
            box = texter.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{selector} runs off a 360 px screen: {box}"
        texter.fill("#text", "can i talk to someone")
        texter.press("#text", "Enter")
        expect(texter.locator("#log li.bot")).to_contain_text("A worker has been alerted")

        worker.goto(url + "/")
        worker.click("text=Staff log in")
        worker.fill("input[name=username]", "admin")
        worker.fill("input[name=password]", password)
        worker.click("button[type=submit]")
        worker.wait_for_url(re.compile(r"/inbox$"))
        row = worker.locator("#conversations tbody tr").first
        expect(row).to_contain_text("web")
        expect(row).to_contain_text("Asked for staff")
        row.locator("a").click()
        expect(worker.locator("#transcript")).to_contain_text("can i talk to someone")
        worker.fill("#reply-text", "Hi, this is the outreach team. What's going on tonight?")
        worker.click("form.reply button[type=submit]")
        expect(worker.locator(".flash")).to_contain_text("Sent to")
        expect(worker.locator("#claim-state")).to_contain_text("Claimed by admin")
        assert worker.locator("form[action$='/claim']").count() == 0, "no Claim button once claimed"

        expect(texter.locator("#log li.staff")).to_contain_text("What's going on tonight?", timeout=10_000)
        assert len(navigations) == 1, f"the texter's page was not reloaded: {navigations}"
    finally:
        browser.close()
        pw.stop()

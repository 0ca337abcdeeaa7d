"""The staff inbox in real headless Chromium: log in, see the emergency on top, watch the list update by
itself, reply, and find the reply at the recorder standing in for Twilio. Markup from texters stays text."""
import re

import pytest
from playwright.sync_api import expect

from tests import staff
from tests.browser import LiveServer, browser_page
from tests.helpers import sms_webhook
from tests.helpers.common import make_app

EMERGENCY = "my friend is not breathing"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(2)><b>bold</b>'


@pytest.fixture
def live(engine, real_redis, recorder):
    app = make_app(engine, real_redis, recorder, SESSION_COOKIE_SECURE=False)   # plain http on loopback
    app.extensions["services"].conversations.hours = None
    server = LiveServer(app)
    yield app, server
    server.close()


@pytest.fixture
def page():
    with browser_page() as page:
        yield page


def text(app, body, sender):
    assert sms_webhook.post(app.test_client(), sms_webhook.form(body, sender=sender)).status_code == 200


def test_staff_logs_in_sees_emergency_on_top_and_replies(live, page, recorder):
    app, server = live
    staff.add_user(app, "sam")
    text(app, "i want to talk to staff", "+17805550301")     # older, not urgent
    text(app, MARKUP, "+17805550301")
    text(app, EMERGENCY, "+17805550302")                     # newer, urgent

    page.goto(server.url + "/inbox")
    assert "/login" in page.url, "the inbox sends a stranger to the log-in page"
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", staff.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/inbox$"))

    rows = page.locator("#conversations tbody tr")
    assert rows.count() == 2
    assert "urgent" in rows.nth(0).get_attribute("class")
    assert "EMERGENCY" in rows.nth(0).inner_text()
    urgent_name = rows.nth(0).locator("a").inner_text()
    assert "+1780" not in page.content() and "7805550302" not in page.content()

    # A new emergency arrives while the page is open: it appears on top without a reload.
    text(app, "he overdosed and wont wake up", "+17805550303")
    expect(rows).to_have_count(3, timeout=10_000)   # (locators, not page scripts: the CSP forbids eval)
    assert "urgent" in rows.nth(0).get_attribute("class") and "urgent" in rows.nth(1).get_attribute("class")
    assert rows.nth(0).locator("a").inner_text() == urgent_name, "oldest emergency first"
    assert "urgent" not in (rows.nth(2).get_attribute("class") or "")

    rows.nth(0).locator("a").click()
    page.wait_for_selector("#reply-text")
    assert EMERGENCY in page.locator("#transcript").inner_text()
    page.select_option("#canned", "naloxone")
    assert "aloxone" in page.input_value("#reply-text"), "a canned reply fills the box"
    risky = "Hi, this is Sam from the outreach team. Is your friend breathing now? Or call me at 780-555-7070"
    page.fill("#reply-text", risky)
    page.click("form.reply button[type=submit]")
    page.wait_for_selector(".flash")
    assert "Not sent yet" in page.locator(".flash").inner_text() and "a phone number" in page.locator(".flash").inner_text()
    assert "a name" not in page.locator(".flash").inner_text(), "staff giving their own name is not flagged"
    assert page.input_value("#reply-text") == risky and recorder.calls("Messages.json") == []
    page.click("form.reply button[type=submit]")          # "Send anyway"
    page.wait_for_selector(".flash.ok")
    assert "Sent to " + urgent_name in page.locator(".flash").inner_text()

    (sent,) = recorder.calls("Messages.json")
    assert sent["To"] == "+17805550302"
    assert sent["Body"] == risky
    transcript = page.locator("#transcript").inner_text()
    assert "staff:sam" in transcript and "call me at [phone]" in transcript and "780-555-7070" not in transcript
    assert page.dialogs == [] and page.console_errors == []


def test_markup_from_a_texter_renders_as_text(live, page):
    app, server = live
    staff.add_user(app, "sam")
    text(app, "i want to talk to staff", "+17805550401")
    text(app, MARKUP, "+17805550401")
    (conv,) = app.extensions["services"].inbox.listing()

    page.goto(server.url + "/login")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", staff.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/inbox$"))
    page.goto(f"{server.url}/inbox/c/{conv['id']}")
    transcript = page.locator("#transcript")
    assert MARKUP in transcript.inner_text()
    assert transcript.locator("script, img, b").count() == 0

    # The live refresh rebuilds the transcript from JSON: still text, not markup.
    text(app, MARKUP + " again", "+17805550401")
    expect(transcript).to_contain_text("again", timeout=10_000)
    assert transcript.inner_text().count(MARKUP) == 2
    assert transcript.locator("script, img, b").count() == 0
    assert page.dialogs == [], "no script from a texter ran"


def test_the_list_fits_a_phone_screen(live, page):
    app, server = live
    staff.add_user(app, "sam")
    text(app, "i want to talk to staff", "+17805550501")
    text(app, EMERGENCY, "+17805550502")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", staff.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/inbox$"))
    for selector in ("#conversations", "header.top", "#conversations tbody tr >> nth=0"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{selector} runs off a 360 px screen: {box}"
    expect(page.locator("#conversations tbody tr").first).to_contain_text("EMERGENCY")
    assert page.locator("#conversations thead").is_hidden(), "cards, not a table too wide for the screen"

"""Editors' pages in real headless Chromium: the preview and the unanswered messages page."""
import re

import pytest
from playwright.sync_api import expect

from tests import staff
from tests.browser import LiveServer, browser_page
from tests.helpers import sms_webhook


@pytest.fixture
def live(site, real_redis, recorder):  # noqa: F811
    from handlers.web import create_app
    from tests.helpers.common import PUBLIC_URL, TWILIO_TOKEN
    app = create_app({
        "TESTING": True, "CONFIG_PATH": str(site / "config.toml"), "RELOAD_SECONDS": 0, "REDIS": real_redis,
        "BOT_SECRET_KEY": b"k" * 32, "PUBLIC_URL": PUBLIC_URL, "SESSION_COOKIE_SECURE": False,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+15550001111", "TWILIO_API_BASE": recorder.url,
    })
    server = LiveServer(app)
    yield app, server
    server.close()


@pytest.fixture
def page():
    with browser_page() as page:
        yield page


def log_in(page, server, name):
    page.goto(server.url + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", staff.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/inbox$"))


def test_editor_previews_replies_on_every_channel(live, page):
    app, server = live
    staff.add_user(app, "eli", "editor")
    log_in(page, server, "eli")
    page.click("text=Preview")
    page.fill("#preview-text", "how do i use narcan")
    page.click("form.preview button[type=submit]")
    expect(page.locator("#matched-topic")).to_have_text("naloxone")
    assert float(page.locator("#confidence").inner_text()) >= 0.7
    assert page.locator("#ranked li").count() >= 1
    sms = page.locator("#channel-sms")
    expect(sms).to_contain_text("segment")
    assert page.locator("#channel-sms pre.segment").count() >= 1
    assert "aloxone" in page.locator("#channel-telegram pre.bubble").inner_text()

    page.fill("#preview-text", "menu")
    page.click("form.preview button[type=submit]")
    assert page.locator("#channel-telegram .tg-button").count() >= 5, "Telegram menu buttons are shown"

    page.fill("#preview-text", "my friend is not breathing")
    page.click("form.preview button[type=submit]")
    expect(page.locator("#is-emergency")).to_contain_text("YES")
    assert page.locator("#channel-sms pre.segment").first.inner_text().startswith("911")
    assert page.console_errors == []


def test_editor_sees_unanswered_and_adds_one_as_an_example(live, page, site):  # noqa: F811
    app, server = live
    staff.add_user(app, "eli", "editor")
    client = app.test_client()
    for i, body in enumerate(["do you guys have free bus tickets", "do you have free bus tickets?",
                              "my name is Casey, email casey@example.com, do you guys have free bus tickets"]):
        sms_webhook.post(client, sms_webhook.form(body, sender=f"+178055508{i:02d}"))
    log_in(page, server, "eli")
    page.click("text=Unanswered")
    group = page.locator("#unanswered > li").first
    expect(group.locator(".count")).to_have_text("3")
    listed = page.locator("#unanswered").inner_text()
    assert "Casey" not in listed and "casey@example.com" not in listed and "[email]" in listed

    group.locator("input[name=phrase]").fill("do you have free bus tickets")
    group.locator("select[name=topic]").select_option("supplies")
    group.locator("button[type=submit]").click(timeout=90_000)   # the check retrains the topic model: seconds
    expect(page.locator(".flash")).to_contain_text("published", timeout=90_000)
    assert "do you have free bus tickets" in (site / "content" / "topics" / "supplies.toml").read_text()
    expect(page.locator("#unanswered > li")).to_have_count(0)

    page.click("text=Preview")
    page.fill("#preview-text", "do you guys have free bus tickets")
    page.click("form.preview button[type=submit]")
    expect(page.locator("#matched-topic")).to_have_text("supplies")
    assert page.console_errors == []

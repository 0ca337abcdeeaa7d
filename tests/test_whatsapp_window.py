"""WhatsApp's 24-hour window in the staff inbox: shown from the texter's last message, a free reply
refused after it (kept in the box), or the operator's approved template sent through the real twilio
SDK to the local recorder. Also the inbox's times, in the staff time zone, and its claim state."""
import dataclasses
import datetime as dt
import time
import tomllib
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, parse
from bot.conversation.conversations import build_engine
from tests import staff
from tests.helpers import sms_webhook
from tests.helpers.common import ROOT, make_app

WHATSAPP = "whatsapp:+17805550177"
TEMPLATE = "HX" + "0123456789abcdef" * 2
DAY = 24 * 3600


def whatsapp(app, body):
    response = sms_webhook.post(app.test_client(), sms_webhook.form(body, sender=WHATSAPP))
    assert response.status_code == 200, response.data


def texted_hours_ago(app, hours, body="i want to talk to staff"):
    """The texter's message as if it came `hours` ago: the inbox's own clock, set back for it."""
    inbox = app.extensions["services"].inbox
    inbox.clock = lambda: time.time() - hours * 3600
    try:
        whatsapp(app, body)
    finally:
        inbox.clock = time.time
    (conv,) = inbox.listing()
    return conv


@pytest.fixture
def app(engine, real_redis, recorder):
    app = make_app(engine, real_redis, recorder)
    app.extensions["services"].conversations.hours = None
    return app


@pytest.fixture
def app_with_template(cfg, real_redis, recorder):
    engine = build_engine(dataclasses.replace(cfg, whatsapp_template_sid=TEMPLATE))
    app = make_app(engine, real_redis, recorder)
    app.extensions["services"].conversations.hours = None
    return app


def local(epoch, cfg):
    return dt.datetime.fromtimestamp(epoch, ZoneInfo(cfg.staff_timezone)).strftime("%a %d %b %H:%M %Z")


def test_the_window_is_shown_from_the_texters_last_message(app, cfg, recorder):
    conv = texted_hours_ago(app, 20)
    worker = staff.staff_client(app)
    closes = float(conv["texter_at"]) + DAY
    page = worker.get(f"/inbox/c/{conv['id']}").get_data(as_text=True)
    assert f"WhatsApp reply window closes {local(closes, cfg)}" in page
    assert f"reply by {local(closes, cfg)}" in worker.get("/inbox").get_data(as_text=True)
    sent = staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "Hi, still need a hand?"})
    assert sent.status_code == 302
    (call,) = recorder.calls("Messages.json")
    assert call["To"] == WHATSAPP and call["Body"] == "Hi, still need a hand?"

    whatsapp(app, "yes please")           # a new message from the texter opens a fresh 24 hours
    (conv,) = app.extensions["services"].inbox.listing()
    assert float(conv["texter_at"]) > time.time() - 60


def test_after_24_hours_a_free_reply_is_refused_and_kept_in_the_box(app, recorder):
    conv = texted_hours_ago(app, 25)
    worker = staff.staff_client(app)
    assert "WhatsApp reply window closed" in worker.get(f"/inbox/c/{conv['id']}").get_data(as_text=True)
    refused = staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "Are you okay?"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Not sent: WhatsApp allows a free reply only within 24 hours" in page
    assert "No approved template is configured" in page
    assert ">Are you okay?</textarea>" in page
    assert recorder.calls("Messages.json") == []
    assert "staff:" not in str(app.extensions["services"].inbox.messages(conv["id"]))


def test_after_24_hours_the_approved_template_goes_instead(app_with_template, recorder):
    app = app_with_template
    conv = texted_hours_ago(app, 30)
    worker = staff.staff_client(app)
    response = staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "Are you okay?"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "the approved template was sent instead" in page and ">Are you okay?</textarea>" in page
    (call,) = recorder.calls("Messages.json")
    assert call["ContentSid"] == TEMPLATE and "Body" not in call
    assert call["To"] == WHATSAPP and call["From"] == "whatsapp:+15550001111"
    assert f"[approved WhatsApp template {TEMPLATE} sent by sam]" in str(app.extensions["services"].inbox.messages(conv["id"]))


def test_sms_has_no_window(app, recorder):
    sms_webhook.post(app.test_client(), sms_webhook.form("i want to talk to staff", sender="+17805550178"))
    (conv,) = app.extensions["services"].inbox.listing()
    app.extensions["services"].inbox.redis.hset(f"inbox:conv:{conv['id']}", "texter_at", time.time() - 3 * DAY + 60)
    worker = staff.staff_client(app)
    assert "window" not in worker.get(f"/inbox/c/{conv['id']}").get_data(as_text=True).lower().split("<main>")[1]
    assert staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "hi"}).status_code == 302
    assert len(recorder.calls("Messages.json")) == 1


@pytest.mark.parametrize("value", ["HX123", "MG" + "0" * 32, "hx" + "z" * 32])
def test_a_malformed_content_sid_stops_start_up(value):
    data = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match="template_content_sid"):
        parse({**data, "whatsapp": {"template_content_sid": value}})


# -- inbox polish --------------------------------------------------------------------------------

def test_times_are_in_the_staff_time_zone_and_claim_state_is_shown(app, cfg):
    sms_webhook.post(app.test_client(), sms_webhook.form("i want to talk to staff", sender="+17805550179"))
    (conv,) = app.extensions["services"].inbox.listing()
    worker = staff.staff_client(app)
    page = worker.get(f"/inbox/c/{conv['id']}").get_data(as_text=True)
    zone = dt.datetime.now(ZoneInfo(cfg.staff_timezone)).strftime("%Z")
    assert f"opened {local(float(conv['created']), cfg)}" in page and zone in page and " UTC" not in page
    assert "Open: nobody has claimed it" in page and "/claim" in page
    staff.post_form(worker, f"/inbox/c/{conv['id']}/claim")
    page = worker.get(f"/inbox/c/{conv['id']}").get_data(as_text=True)
    assert "Claimed by sam" in page and "/claim" not in page, "no Claim button once claimed"
    messages = worker.get(f"/inbox/c/{conv['id']}/messages.json").get_json()["messages"]
    first = messages[0]
    assert first["time"] == dt.datetime.fromtimestamp(first["at"], ZoneInfo(cfg.staff_timezone)).strftime("%H:%M")


def test_the_page_and_the_login_link_to_each_other(app):
    client = app.test_client()
    assert 'href="/login"' in client.get("/").get_data(as_text=True)
    assert 'href="/"' in client.get("/login").get_data(as_text=True)

"""Twilio SMS and WhatsApp through the Flask app, signed with Twilio's real algorithm, real Redis."""

import pytest

from bot.text import segments
from tests.helpers.common import PUBLIC_URL
from tests.helpers.sms_webhook import PHONE, form, post, sign, text_of


@pytest.fixture
def client(channel_app):
    return channel_app.test_client()


def test_signed_message_gets_twiml_answer(client):
    reply = text_of(post(client, form("where can i get narcan")))
    assert "aloxone" in reply
    assert segments.is_gsm7(reply) and segments.segment_count(reply) <= 2


def test_forged_signature_is_refused_and_nothing_is_processed(client, real_redis):
    data = form("hello")
    assert post(client, data, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert post(client, data, signature="").status_code == 403
    assert client.post("/sms", data=data).status_code == 403
    assert sign(data, token="wrong-token") != sign(data)
    assert post(client, data, signature=sign(data, token="wrong-token")).status_code == 403
    assert not real_redis.keys("state:*") and not real_redis.keys("seen:*")


def test_replay_with_changed_body_is_refused(client):
    data = form("hello")
    signature = sign(data)
    assert post(client, data, signature=signature).status_code == 200
    tampered = dict(data, Body="my friend is not breathing", MessageSid="SM" + "9" * 32)
    assert post(client, tampered, signature=signature).status_code == 403


def test_signature_for_another_url_is_refused(client):
    data = form("hello")
    assert post(client, data, signature=sign(data, url="http://localhost/sms")).status_code == 403


def test_public_url_with_query_string_is_validated(client):
    data = form("hello")
    signature = sign(data, url=PUBLIC_URL + "/sms?source=twilio")
    assert post(client, data, signature=signature, path="/sms?source=twilio").status_code == 200


def test_signed_but_malformed_gets_400(client):
    data = form("hello")
    del data["From"]
    assert post(client, data).status_code == 400
    assert post(client, {"Body": "x"}).status_code == 400


def test_retry_of_the_same_message_gets_the_same_reply(client):
    """Twilio retries a webhook it got no answer to; the retry sends the first reply again (the texter
    may never have had it), and is not answered a second time."""
    data = form("narcan")
    first = post(client, data)
    assert "aloxone" in text_of(first)
    again = post(client, data)
    assert again.status_code == 200 and again.data == first.data


def test_emergency_first_with_number(client):
    reply = text_of(post(client, form("my friend is not breathing")))
    assert reply.startswith("911")


def test_help_names_org_stop_and_emergency(client, engine):
    reply = text_of(post(client, form("HELP")))
    assert engine.config.org_name in reply and "STOP" in reply and "911" in reply


def test_more_and_numbers_across_messages(client):
    menu = text_of(post(client, form("menu")))
    assert "2 Naloxone" in menu
    first = text_of(post(client, form("2")))
    assert "MORE" in first
    second = text_of(post(client, form("more")))
    assert second and second != first
    for reply in (menu, first, second):
        assert segments.is_gsm7(reply) and segments.segment_count(reply) <= 2


def test_french_and_spanish_are_gsm7_safe(client):
    for text in ["ou trouver de la naloxone", "donde consigo naloxona", "qué es la naloxona"]:
        reply = text_of(post(client, form(text, sender="+15145550000")))
        assert segments.is_gsm7(reply) and segments.segment_count(reply) <= 2, reply


def test_whatsapp_arrives_on_the_same_webhook_and_may_be_longer(client):
    sms = text_of(post(client, form("how does naloxone work")))
    whatsapp = text_of(post(client, form("how does naloxone work", sender="whatsapp:+15875550199")))
    assert len(whatsapp) > len(sms)
    assert len(whatsapp) <= 1600


def test_stop_silences_everything_until_start(channel_app, client, recorder):
    assert "START" in text_of(post(client, form("STOP")))
    assert text_of(post(client, form("what is fentanyl"))) == ""
    outbox = channel_app.extensions["services"].outbox
    assert outbox.send("sms", PHONE, "A staff reply") == "opted_out"
    assert recorder.calls("Messages.json") == []
    assert text_of(post(client, form("my friend is not breathing"))).startswith("911")
    assert text_of(post(client, form("START")))
    assert outbox.send("sms", PHONE, "A staff reply “quoted” — thanks") == "sent"
    sent = recorder.calls("Messages.json")
    assert sent == [{"To": PHONE, "From": "+15550001111", "Body": 'A staff reply "quoted" - thanks'}]


def test_whatsapp_outbound_goes_through_the_twilio_sdk(channel_app, recorder):
    assert channel_app.extensions["services"].outbox.send("whatsapp", "whatsapp:+15875550199", "Hola") == "sent"
    assert recorder.calls("Messages.json") == [{"To": "whatsapp:+15875550199", "From": "whatsapp:+15550001111", "Body": "Hola"}]


def test_flood_is_slowed_politely_but_emergency_still_answered(client, engine):
    limit = engine.config.messages_per_minute
    for i in range(limit):
        assert text_of(post(client, form(f"narcan {i}")))
    assert "minute" in text_of(post(client, form("narcan again")))
    assert text_of(post(client, form("narcan again and again"))) == ""
    assert text_of(post(client, form("he is not breathing"))).startswith("911")


@pytest.mark.parametrize("body", ["", "😀😀", "🙏 ok", "a" * 1600, "你好", "\u202e\u0000x"])
def test_odd_bodies_get_a_sensible_reply(client, body):
    reply = text_of(post(client, form(body)))
    assert reply.strip()
    assert segments.is_gsm7(reply) and len(reply) <= 1600


def test_media_only_message(client):
    reply = text_of(post(client, form("", NumMedia="1", MediaUrl0="https://example.org/x.jpg")))
    assert "MENU" in reply


def test_metrics_count_without_identities(client):
    post(client, form("narcan"))
    post(client, form("my friend is not breathing"))
    text = client.get("/metrics").data.decode()
    assert 'bot_messages_total{channel="sms",topic="naloxone",kind="answer",emergency="false"} 1' in text
    assert 'emergency="true"' in text and "bot_reply_seconds_bucket" in text
    assert PHONE not in text and "7805551234" not in text

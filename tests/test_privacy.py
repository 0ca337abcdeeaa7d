"""After scripted conversations on every channel, no phone number, chat id or location is anywhere:
not in any Redis key or value, not in any log line."""
import logging
import re
import time

import pytest

from tests import staff
from tests.helpers import sms_webhook, telegram_webhook
from tests.helpers.store import dump_redis

PHONE = "+17805551234"
WHATSAPP = "whatsapp:+15875550199"
CHAT = telegram_webhook.CHAT
LOCATION = ["EDMONTON", "T5J 0N3", "T5J0N3"]


def forbidden():
    digits = ["7805551234", "780-555-1234", "5875550199", str(CHAT)]
    return [PHONE, WHATSAPP, *digits, *LOCATION]


SCRIPT = ["hello", "menu", "2", "more", "my friend is not breathing", "can i mix alcohol and benzos",
          "francais", "naloxone", "STOP", "hello?", "START", "DELETE", "i want to talk to staff"]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_no_identity_in_redis_or_logs(channel_app, real_redis, logs, recorder):
    client = channel_app.test_client()
    for text in SCRIPT:
        sms_webhook.post(client, sms_webhook.form(text, sender=PHONE))
        sms_webhook.post(client, sms_webhook.form(text, sender=WHATSAPP))
        telegram_webhook.post(client, telegram_webhook.message_update(text))
    telegram_webhook.post(client, telegram_webhook.callback_update("t:naloxone"))
    # Forged and malformed requests are logged too: they must not leak what they carried.
    sms_webhook.post(client, sms_webhook.form("hello", sender=PHONE), signature="forged")
    bad = sms_webhook.form("hello", sender=PHONE)
    del bad["MessageSid"]
    sms_webhook.post(client, bad)
    outbox = channel_app.extensions["services"].outbox
    outbox.send("sms", PHONE, "staff reply")
    outbox.send("telegram", str(CHAT), "staff reply")

    stored = dump_redis(real_redis)
    logged = "\n".join(r.getMessage() + " " + str(r.args) for r in logs.records)
    assert stored and logged, "the scan must have something to scan"
    assert real_redis.keys("state:*"), "conversations were kept, under hashed keys"
    for needle in forbidden():
        assert needle not in stored, f"{needle!r} found in Redis"
        assert needle not in logged, f"{needle!r} found in logs"
    assert recorder.calls("Messages.json"), "the outbound SMS really went out"


def test_delete_erases_the_texters_words_everywhere(channel_app, real_redis, recorder):
    """After DELETE, nothing the texter wrote is left: not their unanswered questions, not the transcript."""
    channel_app.extensions["services"].conversations.hours = None
    client = channel_app.test_client()
    mine = ["do quokkas eat marmalade", "i want to talk to staff", "the quokka took my kit"]
    for text in mine:
        sms_webhook.post(client, sms_webhook.form(text, sender=PHONE))
    sms_webhook.post(client, sms_webhook.form("is the library open on sunday", sender="+17805550999"))
    telegram_webhook.post(client, telegram_webhook.message_update("do quokkas eat marmalade"))   # someone else, same words
    (conv,) = channel_app.extensions["services"].inbox.listing()
    staff_client = staff.staff_client(channel_app)
    staff.post_form(staff_client, f"/inbox/c/{conv['id']}/reply", {"text": "About the quokka: are you safe?"})
    before = dump_redis(real_redis)
    assert "quokka took my kit" in before and "marmalade" in before
    sms_webhook.post(client, sms_webhook.form("DELETE", sender=PHONE))
    after = dump_redis(real_redis)
    assert "quokka took my kit" not in after and "About the quokka" not in after
    assert "library open on sunday" in after, "other texters' questions stay"
    records = channel_app.extensions["services"].unanswered.records()
    assert [r["count"] for r in records if "marmalade" in r["text"]] == [1], "only the other texter's ask is left"
    telegram_webhook.post(client, telegram_webhook.message_update("DELETE"))
    assert "marmalade" not in dump_redis(real_redis)


TYPED = ["780 - 555 - 2468", "780_555_2468", "7805552468asap", "780,555,2468", "(587) 555-0133", "+44 7911 123456"]
NAMES = ["my name is Jordan Quimby", "my cousin Dakota said it was fine", "c'est Marie", "me llamo Lucía Pérez",
         "this is Priya"]


def test_typed_numbers_and_names_are_nowhere_after_a_scripted_run(engine, own_redis, recorder, logs, tmp_path):
    """What texters type about themselves, on every channel, escalated and not, and during an outage (the
    spool): not in Redis, not in its AOF, not in the spool, not in the logs."""
    from tests.helpers.common import make_app
    app = make_app(engine, own_redis.client(), recorder, BOT_SPOOL_DIR=str(tmp_path / "spool"))
    app.extensions["services"].conversations.hours = None
    client = app.test_client()
    said = [f"call me {n}" for n in TYPED] + NAMES + [f"zorbly frobnitz {n}" for n in TYPED]
    for i, text in enumerate(["i want to talk to staff", *said]):
        sms_webhook.post(client, sms_webhook.form(text, sender=PHONE))
        sms_webhook.post(client, sms_webhook.form(text, sender=WHATSAPP))
        telegram_webhook.post(client, telegram_webhook.message_update(text))
        client.post("/chat", json={"text": text})
        sms_webhook.post(client, sms_webhook.form(text, sender=f"+1780555{3000 + i:04d}"))   # unanswered, not escalated
    convs = app.extensions["services"].inbox.listing()
    assert len(convs) >= 3
    transcript = " ".join(m["text"] for m in app.extensions["services"].inbox.messages(convs[0]["id"]))
    assert "[phone]" in transcript and "[name]" in transcript
    assert any("[phone]" in r["text"] for r in app.extensions["services"].unanswered.records())

    own_redis.stop()                                       # a real outage: escalations go to the spool
    for text in said[:4] + NAMES[:2]:
        sms_webhook.post(client, sms_webhook.form(f"i want to talk to staff {text}", sender="+17805550777"))
    # The spool is SQLite: its pages (and WAL) hold the entries as UTF-8 text among binary structure.
    spooled = "".join(p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "spool").rglob("*") if p.is_file())
    assert "[phone]" in spooled
    own_redis.start()
    own_redis.client().execute_command("BGREWRITEAOF")
    time.sleep(0.5)

    stored = dump_redis(own_redis.client())
    on_disk = {p.name: p.read_bytes().decode("utf-8", "replace") for p in own_redis.files()}
    logged = "\n".join(r.getMessage() + " " + str(r.args) for r in logs.records)
    assert any(name.endswith(".aof") for name in on_disk)
    needles = [*TYPED, "7805552468", "5552468", "2468", "7911 123456", "Jordan", "Quimby", "Dakota", "Marie",
               "Lucía", "Pérez", "Priya"]
    for needle in needles:
        # A number fragment counts only standing alone: "2468" inside a timestamp (1796014087.524687)
        # or a hash is not the texter's number.
        found = re.compile(rf"(?<![0-9a-f]){re.escape(needle)}(?![0-9a-f])" if needle[-1].isdigit() else re.escape(needle))
        assert not found.search(stored), f"{needle!r} in Redis"
        assert not found.search(spooled), f"{needle!r} in the spool"
        assert not found.search(logged), f"{needle!r} in the logs"
        for name, text in on_disk.items():
            assert not found.search(text), f"{needle!r} in {name}"

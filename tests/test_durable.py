"""Conversations live in a Redis that persists (AOF): they survive restarts of the app and of Redis.
And after many escalations, nothing on disk, in Redis or in the logs names a texter."""
import logging

import pytest

from tests import staff
from tests.helpers import sms_webhook, telegram_webhook
from tests.helpers.common import make_app
from tests.helpers.store import dump_redis

PHONE = "+17805550177"
EMERGENCY = "my friend is not breathing"


def app_on(engine, server, recorder):
    app = make_app(engine, server.client(), recorder)
    app.extensions["services"].conversations.hours = None
    return app


@pytest.mark.parametrize("crash", [False, True], ids=["stopped", "killed"])
def test_conversations_survive_restart_of_app_and_redis(engine, fsync_always_redis, recorder, crash):
    own_redis = fsync_always_redis     # everysec under a kill: see test_redis_everysec.py
    first = app_on(engine, own_redis, recorder)
    staff.add_user(first, "sam")
    sms_webhook.post(first.test_client(), sms_webhook.form(EMERGENCY, sender=PHONE))
    sms_webhook.post(first.test_client(), sms_webhook.form("please come", sender=PHONE))
    (before,) = first.extensions["services"].inbox.listing()

    own_redis.restart(kill=crash)              # Redis goes down and comes back from its AOF
    second = app_on(engine, own_redis, recorder)   # and a new app process starts against it

    (after,) = second.extensions["services"].inbox.listing()
    assert after == before
    said = [m["text"] for m in second.extensions["services"].inbox.messages(after["id"]) if m["who"] == "texter"]
    assert said == [EMERGENCY, "please come"]
    client = staff.client_for(second, "sam")    # the account survived too
    page = client.get("/inbox").get_data(as_text=True)
    assert after["pseudonym"] in page and "EMERGENCY" in page
    staff.post_form(client, f"/inbox/c/{after['id']}/reply", {"text": "On my way to help over text"})
    (sent,) = recorder.calls("Messages.json")
    assert sent["To"] == PHONE, "the sealed address still opens after the restart"
    # A later message from the same texter joins the same conversation.
    sms_webhook.post(second.test_client(), sms_webhook.form("thank you", sender=PHONE))
    assert [c["id"] for c in second.extensions["services"].inbox.listing()] == [after["id"]]


def phones(n):
    return [f"+1780555{1000 + i:04d}" for i in range(n)]


def chats(n):
    return [730000000 + 7919 * i for i in range(n)]


def forbidden(numbers, chat_ids):
    out = []
    for number in numbers:
        digits = number[2:]
        out += [number, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", "whatsapp:" + number]
    return out + [str(c) for c in chat_ids] + ["EDMONTON", "T5J 0N3"]


def test_no_identity_anywhere_after_many_escalations(engine, own_redis, recorder, caplog):
    caplog.set_level(logging.DEBUG)
    app = app_on(engine, own_redis, recorder)
    texter = app.test_client()
    numbers, chat_ids = phones(40), chats(20)
    script = ["hi", EMERGENCY, "he is blue, we gave narcan", "i want to talk to staff",
              "my number is {me}, call me", "qwertyuiop", "zxcvbnm asdf"]
    for i, number in enumerate(numbers):
        sender = number if i % 4 else "whatsapp:" + number
        for line in script[i % 3:]:
            sms_webhook.post(texter, sms_webhook.form(line.format(me=number), sender=sender))
        if i % 10 == 9:
            sms_webhook.post(texter, sms_webhook.form("DELETE", sender=sender))
    for chat in chat_ids:
        for line in script[:5]:
            telegram_webhook.post(texter, telegram_webhook.message_update(line.format(me=chat), chat=chat))
    inbox = app.extensions["services"].inbox
    convs = inbox.listing()
    assert len(convs) >= 50, "the run really escalated many conversations"

    client = staff.staff_client(app)
    for conv in convs[:10]:
        staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "Staff here, how can I help?"})
        client.get(f"/inbox/c/{conv['id']}")
    assert len(recorder.requests) >= 10, "replies really went out"

    own_redis.client().execute_command("BGREWRITEAOF")   # the rewritten AOF is scanned as well as the log of writes
    stored = dump_redis(own_redis.client())
    on_disk = {p.name: p.read_bytes().decode("utf-8", "replace") for p in own_redis.files()}
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert any(name.endswith(".aof") for name in on_disk) and sum(map(len, on_disk.values())) > 10_000
    assert "inbox:conv:" in stored and logged.count("escalated conversation=") >= 50
    assert any("he is blue" in text for text in on_disk.values()), "the AOF holds the (scrubbed) transcripts"
    assert "my number is" in stored and "call me" in stored
    for needle in forbidden(numbers, chat_ids):
        assert needle not in stored, f"{needle!r} in Redis"
        assert needle not in logged, f"{needle!r} in the logs"
        for name, text in on_disk.items():
            assert needle not in text, f"{needle!r} in {name}"
    # Message bodies stay out of the logs too.
    assert "he is blue" not in logged and "qwertyuiop" not in logged

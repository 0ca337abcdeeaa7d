"""Faults: a real redis-server stopped and restarted while messages keep coming. Every message is
answered; every escalation reaches the inbox (late, from the spool, if it came during the outage); the
texter is told honestly when staff may not see it soon."""
import itertools
import threading

from tests.helpers import telegram_webhook
from tests.helpers.common import make_app
from tests.helpers.sms_webhook import sms_reply
from tests.helpers.store import dump_redis

ESCALATING = {"i want to talk to staff", "my friend is not breathing", "he od'd and is turning blue",
              "can i talk to a real person"}
MIX = ["where can i get narcan", "is it safe to mix benzos and alcohol", "i want to talk to staff",
       "what are fentanyl test strips", "my friend is not breathing", "how do i smoke safer",
       "can i talk to a real person", "what is xylazine", "he od'd and is turning blue", "thanks"]


def test_redis_stopped_and_restarted_during_traffic(engine, own_redis, recorder, tmp_path):
    app = make_app(engine, own_redis.client(), recorder, BOT_SPOOL_DIR=str(tmp_path / "spool"))
    app.extensions["services"].conversations.hours = None
    counts = {"sent": 0, "answered": 0, "escalations": 0, "told_delayed": 0, "emergency_911": 0}
    escalated_senders = set()
    sent_enough = {n: threading.Event() for n in (40, 80, 120)}
    restarted = threading.Event()
    problems = []

    def traffic():
        client = app.test_client()
        for i in itertools.count():
            if i >= 120 and restarted.is_set():
                break
            body = MIX[i % len(MIX)]
            sender = f"+1780556{i:04d}"
            try:
                messages = sms_reply(client, body, sender)
            except AssertionError as exc:
                problems.append(str(exc))
                continue
            counts["sent"] += 1
            if messages and messages[0]:
                counts["answered"] += 1
            if body in ("my friend is not breathing", "he od'd and is turning blue") and messages[0].startswith("911"):
                counts["emergency_911"] += 1
            if body in ESCALATING:
                assert len(messages) == 2, messages
                counts["escalations"] += 1
                escalated_senders.add(sender)
                if "system is having trouble" in messages[1]:
                    counts["told_delayed"] += 1
            for n, event in sent_enough.items():
                if counts["sent"] >= n:
                    event.set()

    worker = threading.Thread(target=traffic)
    worker.start()
    sent_enough[40].wait(60)
    own_redis.stop()                     # Redis goes away mid-traffic...
    sent_enough[80].wait(60)
    own_redis.start()                    # ...and comes back
    restarted.set()
    worker.join(120)
    assert not worker.is_alive() and not problems, problems

    # Telegram during an outage, too.
    own_redis.stop()
    tg = app.test_client().post("/telegram", json=telegram_webhook.message_update("i want to talk to staff", chat=55501),
                                headers={"X-Telegram-Bot-Api-Secret-Token": telegram_webhook.TELEGRAM_SECRET})
    assert tg.status_code == 200 and "system is having trouble" in tg.get_json()["text"]
    escalated_senders.add("telegram:55501")
    counts["escalations"] += 1
    own_redis.start()

    assert counts["answered"] == counts["sent"] >= 120, counts
    assert counts["emergency_911"] == sum(1 for i in range(counts["sent"]) if MIX[i % len(MIX)] in
                                          ("my friend is not breathing", "he od'd and is turning blue"))
    assert counts["told_delayed"] >= 1, "some escalations came during the outage and were told so"
    app.extensions["services"].conversations.spool.look_every = 0
    delivered_now = app.extensions["services"].conversations.deliver_spooled()
    in_inbox = app.extensions["services"].inbox.listing()
    print(f"\nanswers sent {counts['answered']}, escalations made {counts['escalations']} "
          f"(to {len(escalated_senders)} texters; {counts['told_delayed'] + 1} during the outage), "
          f"reached the inbox {len(in_inbox)} (the last {delivered_now} from the spool)")
    assert len(in_inbox) == len(escalated_senders), "every escalation reached the inbox"
    assert app.extensions["services"].conversations.spool.count() == 0
    late = [c for c in in_inbox if any("delivered late" in m["text"] for m in app.extensions["services"].inbox.messages(c["id"]))]
    assert len(late) >= counts["told_delayed"]
    urgent = [c for c in in_inbox if c["priority"] == "0"]
    assert urgent and in_inbox[0]["priority"] == "0", "emergencies from the outage are on top too"
    # The spool kept nothing readable about anyone, and the store holds no numbers.
    spooled = "".join(p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "spool").glob("*"))
    stored = dump_redis(own_redis.client())
    for i in range(counts["sent"]):
        number = f"1780556{i:04d}"
        assert number not in spooled and number not in stored
    assert "55501" not in stored


def test_spooled_reply_address_still_works(engine, own_redis, recorder, tmp_path):
    """A conversation delivered from the spool can be answered through the texter's channel."""
    from tests import staff
    app = make_app(engine, own_redis.client(), recorder, BOT_SPOOL_DIR=str(tmp_path / "spool"))
    app.extensions["services"].conversations.hours = None
    staff.add_user(app, "sam")
    own_redis.stop()
    texter = app.test_client()
    first, second = sms_reply(texter, "my friend is not breathing", "+17805559876")
    assert first.startswith("911") and "system is having trouble" in second
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "spool").iterdir())
    assert b"SQLite format 3" in on_disk and b"17805559876" not in on_disk
    # The inbox itself says clearly that it cannot work now, rather than failing.
    assert app.test_client().get("/login").status_code == 200
    assert staff.log_in(app.test_client()).status_code == 503
    own_redis.start()
    client = staff.client_for(app, "sam")
    (conv,) = client.get("/inbox/list.json").get_json()["conversations"]
    assert conv["urgent"]
    staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "Are they breathing now?"})
    (sent,) = recorder.calls("Messages.json")
    assert sent["To"] == "+17805559876"

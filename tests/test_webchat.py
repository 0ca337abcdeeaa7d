"""The / page as a channel of its own, through the Flask app and a real Redis: a browser token in an
HttpOnly cookie, escalation into the inbox, staff replies with no vendor credentials, and honesty about
whether a worker was told."""
import logging
import tempfile

import fakeredis
import pytest

from bot.conversation.conversations import Conversations
from handlers.web import create_app
from tests import staff
from tests.helpers.store import dump_redis

ALERTED = "A worker has been alerted"
UNREACHED = "No worker was alerted"


@pytest.fixture
def app(engine, real_redis):
    """The app with no Twilio or Telegram settings at all: the web channel needs none."""
    app = create_app({"TESTING": True, "ENGINE": engine, "REDIS": real_redis, "BOT_SECRET_KEY": b"w" * 32,
                      "BOT_SPOOL_DIR": tempfile.mkdtemp(prefix="hrbot-test-spool-")})
    app.extensions["services"].conversations.hours = None
    return app


def say(client, text, channel=None):
    body = {"text": text, **({"channel": channel} if channel else {})}
    response = client.post("/chat", json=body)
    assert response.status_code == 200, response.data
    data = response.get_json()
    return "\n\n".join([data["reply"], *data["followups"]])


def token_of(client):
    cookie = client.get_cookie("hrbot_chat")
    assert cookie is not None, "the page's conversation has a browser token"
    return cookie.value


def test_token_cookie_is_httponly_strict_and_expires(app):
    client = app.test_client()
    response = client.post("/chat", json={"text": "menu"})
    header = response.headers["Set-Cookie"]
    assert header.startswith("hrbot_chat=") and "HttpOnly" in header and "SameSite=Strict" in header
    assert f"Max-Age={app.extensions['services'].inbox.ttl}" in header, "the token expires with the conversation"
    token = token_of(client)
    assert len(token) == 32
    say(client, "2")
    assert token_of(client) == token, "the same browser keeps its conversation"
    other = app.test_client()
    other.post("/chat", json={"text": "menu"})
    assert token_of(other) != token, "each browser gets its own random token"


def test_asking_for_a_person_opens_a_web_conversation_and_staff_reply_reaches_the_page(app, real_redis, caplog):
    caplog.set_level(logging.DEBUG)
    texter = app.test_client()
    answer = say(texter, "can i talk to someone", channel="sms")
    assert ALERTED in answer and UNREACHED not in answer
    token = token_of(texter)
    (conv,) = app.extensions["services"].inbox.listing()
    assert conv["channel"] == "web" and conv["reason"] == "staff"

    # Nothing stores or logs the token itself: the sender is its keyed hash, the address is sealed.
    assert token not in dump_redis(real_redis)
    assert not any(token in r.getMessage() for r in caplog.records)

    assert texter.get("/chat/updates?seen=0").get_json() == {"messages": [], "seen": 0}
    worker = staff.staff_client(app)
    sent = staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "Hi, it's Sam. What's going on?"})
    assert sent.status_code == 302, sent.data
    assert "Sent to " + conv["pseudonym"] in staff.flashes(worker)

    update = texter.get("/chat/updates?seen=0").get_json()
    assert [m["text"] for m in update["messages"]] == ["Hi, it's Sam. What's going on?"]
    assert update["seen"] == 1
    assert texter.get("/chat/updates?seen=1").get_json()["messages"] == [], "only what the page has not shown"
    stranger = app.test_client()
    assert stranger.get("/chat/updates?seen=0").get_json()["messages"] == [], "another browser sees nothing"
    assert token not in dump_redis(real_redis)

    # The texter's next words join the same conversation.
    say(texter, "my friend took too much")
    assert "my friend took too much" in str(app.extensions["services"].inbox.messages(conv["id"]))
    assert len(app.extensions["services"].inbox.listing()) == 1


@pytest.mark.parametrize("messages, reason", [
    (["my friend is not breathing"], "emergency"),
    (["qwzx vblorp", "zzkq plimf", "grbl xnoo"], "misses"),
])
def test_an_emergency_or_three_misses_on_the_page_open_a_conversation(app, messages, reason):
    texter = app.test_client()
    for text in messages:
        answer = say(texter, text)
    assert ALERTED in answer
    (conv,) = app.extensions["services"].inbox.listing()
    assert conv["reason"] == reason and conv["channel"] == "web"


def test_delete_on_the_page_erases_the_conversation_and_its_replies(app, real_redis):
    texter = app.test_client()
    say(texter, "i want to talk to staff")
    old = token_of(texter)
    (conv,) = app.extensions["services"].inbox.listing()
    worker = staff.staff_client(app)
    staff.post_form(worker, f"/inbox/c/{conv['id']}/reply", {"text": "still there?"})
    assert real_redis.keys("web:mail:*")
    say(texter, "DELETE")
    assert app.extensions["services"].inbox.listing() == [] and not real_redis.keys("web:mail:*")
    assert token_of(texter) != old, "a new token after DELETE, tied to nothing"
    assert texter.get("/chat/updates?seen=0").get_json()["messages"] == []


def test_bad_updates_requests_get_400(app):
    texter = app.test_client()
    say(texter, "menu")
    assert texter.get("/chat/updates?seen=abc").status_code == 400


# -- never claim what did not happen ---------------------------------------------------------------

def test_without_an_inbox_the_reply_says_nobody_was_alerted(engine):
    conversations = Conversations(engine, fakeredis.FakeRedis(decode_responses=True))
    from bot.messages import Message
    reply = conversations.handle(Message("i want to talk to staff", channel="sms", sender="s" * 32), address="+1")
    said = "\n".join([reply.text, *reply.followups])
    assert reply.escalate and UNREACHED in said
    assert "alerted and" not in said and "let a worker know" not in said


def test_a_store_refusing_the_escalation_is_never_reported_as_alerted(app, real_redis):
    """A real store error at the moment of escalating (the queue key holds the wrong type, so the
    transaction fails): the texter hears that staff may not see it soon, never that a worker knows."""
    real_redis.set("inbox:queue", "not a sorted set")
    texter = app.test_client()
    answer = say(texter, "i want to talk to staff")
    assert ALERTED not in answer
    assert "staff may not see this right away" in answer, "kept in the spool, and said so"
    assert app.extensions["services"].conversations.spool.count() == 1


def test_first_run_admin_only_with_the_embedded_store(engine, monkeypatch, capsys, session_redis):
    monkeypatch.delenv("REDIS_URL", raising=False)
    embedded = create_app({"ENGINE": engine, "TESTING": True})
    printed = capsys.readouterr().err
    (line,) = [candidate for candidate in printed.splitlines() if "password:" in candidate]
    password = line.split("password:")[1].strip()
    assert embedded.extensions["services"].users.check("admin", password).role == "admin"
    assert printed.count(password) == 1

    monkeypatch.setenv("REDIS_URL", session_redis.url)
    monkeypatch.setenv("BOT_SECRET_KEY", "x" * 32)
    session_redis.client().delete("users")
    real = create_app({"ENGINE": engine, "TESTING": True})
    assert real.extensions["services"].users.list() == [], "with a real Redis, accounts come from the command line only"
    assert "password:" not in capsys.readouterr().err

"""The staff inbox through the Flask app: logins, CSRF, lock-out, escalation, replies through the real SDKs
to the local recorder, expiry, opt-out and DELETE. Real Redis throughout."""
import datetime as dt
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from bot.hours import DAYS, StaffHours
from bot.users import Users
from tests import staff, test_sms, test_telegram
from tests.conftest import PUBLIC_URL, ROOT, make_app

PHONE = "+17805550142"
EMERGENCY = "my friend is not breathing"


def texts(response):
    assert response.status_code == 200, response.data
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def sms(client, body, sender=PHONE):
    return texts(test_sms.post(client, test_sms.form(body, sender=sender)))


@pytest.fixture
def app(channel_app):
    channel_app.extensions["conversations"].hours = None   # always staffed, unless a test says otherwise
    return channel_app


@pytest.fixture
def texter(app):
    return app.test_client()


def only_conversation(app):
    convs = app.extensions["inbox"].listing()
    assert len(convs) == 1, convs
    return convs[0]


# -- who may see the inbox -----------------------------------------------------------------------

def test_every_inbox_route_refuses_a_visitor_not_logged_in(app, texter):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    visitor = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("inbox.") or rule.endpoint in ("inbox.login", "inbox.logout"):
            continue
        path = rule.rule.replace("<conv_id>", conv_id)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            data = {"text": "hello", "csrf_token": staff.csrf_token(visitor)} if method == "POST" else None
            response = visitor.open(path, method=method, data=data)
            assert response.status_code in (302, 401), (method, path, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.location
            body = response.get_data(as_text=True)
            assert "Blue" not in body and only_conversation(app)["pseudonym"] not in body
            checked += 1
    assert checked >= 7, "all the inbox routes were tried"
    assert only_conversation(app)["status"] == "open", "nothing was claimed or closed by the visitor"


def test_a_deleted_account_is_logged_out(app):
    client = staff.staff_client(app, "kim")
    assert client.get("/inbox").status_code == 200
    Users(app.extensions["redis"]).remove("kim")
    assert client.get("/inbox").status_code == 302


def test_post_without_csrf_token_is_refused(app, texter, recorder):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    for path in (f"/inbox/c/{conv_id}/reply", f"/inbox/c/{conv_id}/claim", f"/inbox/c/{conv_id}/close"):
        response = client.post(path, data={"text": "hello"})
        assert response.status_code == 400 and b"CSRF" in response.data
        response = client.post(path, data={"text": "hello", "csrf_token": "forged"})
        assert response.status_code == 400
    assert only_conversation(app)["status"] == "open"
    assert len(recorder.calls("Messages.json")) == 0, "no reply went out"
    # The login form itself is protected too.
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "sam", "password": staff.PASSWORD}).status_code == 400


def test_lockout_after_repeated_failed_logins(app):
    staff.add_user(app, "ana")
    client = app.test_client()
    for _ in range(Users.MAX_FAILURES):
        response = staff.log_in(client, "ana", "wrong password!")
        assert response.status_code == 401 and b"Wrong user name or password" in response.data
    response = staff.log_in(client, "ana")     # the right password, too late
    assert response.status_code == 429 and b"locked" in response.data
    assert app.test_client().get("/inbox").status_code == 302
    other = staff.staff_client(app, "bo")       # other accounts are unaffected
    assert other.get("/inbox").status_code == 200
    # The lock lifts when its time runs out (here: the key's expiry, shortened).
    redis = app.extensions["redis"]
    for key in redis.scan_iter("login-failures:*"):
        redis.pexpire(key, 1)
    time.sleep(0.05)
    assert staff.log_in(client, "ana").status_code == 302


def test_roles_and_wrong_password_for_unknown_user(app):
    client = app.test_client()
    assert staff.log_in(client, "nobody", "whatever12345").status_code == 401
    editor = staff.staff_client(app, "eddie", "editor")
    assert editor.get("/inbox").status_code == 200
    with editor.session_transaction() as s:
        assert s["role"] == "editor"


# -- escalation ----------------------------------------------------------------------------------

def test_emergency_gets_safety_reply_first_then_worker_alerted(app, texter):
    first, second = sms(texter, EMERGENCY)
    assert "911" in first
    assert "worker has been alerted" in second
    conv = only_conversation(app)
    assert conv["priority"] == "0" and conv["reason"] == "emergency" and conv["channel"] == "sms"


def test_emergency_is_listed_above_older_requests(app, texter):
    sms(texter, "i want to talk to staff", sender="+17805550001")
    sms(texter, "can i talk to a person", sender="+17805550002")
    sms(texter, EMERGENCY, sender="+17805550003")
    convs = app.extensions["inbox"].listing()
    assert [c["reason"] for c in convs] == ["emergency", "staff", "staff"]
    client = staff.staff_client(app)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index(convs[0]["pseudonym"]) < page.index(convs[1]["pseudonym"]) < page.index(convs[2]["pseudonym"])
    assert 'class="urgent"' in page and "EMERGENCY" in page
    listed = client.get("/inbox/list.json").get_json()["conversations"]
    assert listed[0]["urgent"] and not listed[1]["urgent"]


def test_after_hours_texter_is_told_when_staff_are_back_and_given_numbers(app, texter, engine):
    zone = engine.config.staff_timezone
    tomorrow = (dt.datetime.now(dt.timezone.utc).astimezone(StaffHours(zone, {}).zone) + dt.timedelta(days=1)).weekday()
    app.extensions["conversations"].hours = StaffHours(zone, {DAYS[tomorrow]: "09:00-17:00"})
    first, second = sms(texter, "i want to talk to staff")
    assert "back" in second and "09:00" in second and "Mon Tue Wed Thu Fri Sat Sun".split()[tomorrow] in second
    assert engine.config.emergency_number in second
    assert "{" not in second, "every placeholder was filled"
    assert only_conversation(app)["reason"] == "staff", "the conversation is still opened for staff"


def test_later_messages_join_the_open_conversation(app, texter):
    sms(texter, "i want to talk to staff")
    sms(texter, "its about my roommate")
    sms(texter, EMERGENCY)
    conv = only_conversation(app)
    assert conv["priority"] == "0", "an emergency raises the conversation to the top"
    said = [m["text"] for m in app.extensions["inbox"].messages(conv["id"]) if m["who"] == "texter"]
    assert said == ["i want to talk to staff", "its about my roommate", EMERGENCY]


def test_texter_words_are_scrubbed_in_the_transcript(app, texter):
    sms(texter, "i want to talk to staff")
    sms(texter, "call me at 780-555-0199 my name is Jordan")
    said = [m["text"] for m in app.extensions["inbox"].messages(only_conversation(app)["id"]) if m["who"] == "texter"]
    assert "780-555-0199" not in said[1] and "Jordan" not in said[1]
    assert said[1] == "call me at [phone] my name is [name]"


def test_delete_erases_the_conversation_at_once(app, texter):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    (confirmation,) = sms(texter, "DELETE")
    assert "erased" in confirmation.lower()
    assert app.extensions["inbox"].listing() == []
    assert app.extensions["inbox"].get(conv_id) is None and app.extensions["inbox"].address(conv_id) is None
    redis = app.extensions["redis"]
    assert not [k for k in redis.scan_iter("inbox:*") if k != "inbox:queue"]
    client = staff.staff_client(app)
    assert client.get(f"/inbox/c/{conv_id}").status_code == 302
    assert "expired or was deleted" in staff.flashes(client)


# -- replies -------------------------------------------------------------------------------------

def test_staff_reply_reaches_sms_texter_through_twilio(app, texter, recorder):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    page = client.get(f"/inbox/c/{conv_id}").get_data(as_text=True)
    assert PHONE not in page and "7805550142" not in page
    assert "Naloxone" in page, "canned replies drawn from the content"
    response = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "Hi, I'm here. Is your friend breathing now?"},
                               page=f"/inbox/c/{conv_id}")
    assert response.status_code == 302
    (sent,) = recorder.calls("Messages.json")
    assert sent["To"] == PHONE and sent["Body"] == "Hi, I'm here. Is your friend breathing now?"
    conv = only_conversation(app)
    assert conv["status"] == "claimed" and conv["claimed_by"] == "sam"
    assert "Sent to " + conv["pseudonym"] in staff.flashes(client)
    messages = client.get(f"/inbox/c/{conv_id}/messages.json").get_json()["messages"]
    assert messages[-1] == {**messages[-1], "who": "staff:sam", "text": "Hi, I'm here. Is your friend breathing now?"}


def test_staff_reply_reaches_telegram_texter(app, texter, recorder):
    test_telegram.post(texter, test_telegram.message_update("/start"))
    test_telegram.post(texter, test_telegram.message_update("talk to a worker please"))
    conv = only_conversation(app)
    assert conv["channel"] == "telegram"
    client = staff.staff_client(app)
    staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "Hello from staff"})
    (sent,) = recorder.calls("/sendMessage")
    assert int(sent["chat_id"]) == test_telegram.CHAT and sent["text"] == "Hello from staff"


def test_reply_to_an_expired_conversation_is_refused_clearly(app, texter, recorder):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    token = staff.csrf_token(client, f"/inbox/c/{conv_id}")    # the page was open when time ran out
    redis = app.extensions["redis"]
    for key in redis.scan_iter("inbox:*"):
        if key != "inbox:queue":
            redis.pexpire(key, 1)
    time.sleep(0.05)
    response = client.post(f"/inbox/c/{conv_id}/reply", data={"text": "still there?", "csrf_token": token})
    assert response.status_code == 302
    assert "Not sent: this conversation has expired" in staff.flashes(client)
    assert recorder.calls("Messages.json") == []
    assert app.extensions["inbox"].listing() == []


def test_reply_to_an_opted_out_texter_is_not_sent(app, texter, recorder):
    sms(texter, "i want to talk to staff")
    conv = only_conversation(app)
    sms(texter, "STOP")
    client = staff.staff_client(app)
    refused = staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "are you ok?"})
    assert recorder.calls("Messages.json") == []
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert f"Not sent: {conv['pseudonym']} texted STOP" in page
    assert ">are you ok?</textarea>" in page, "a reply that could not be sent stays in the box"
    sms(texter, "START")
    staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "are you ok?"})
    assert len(recorder.calls("Messages.json")) == 1


def test_empty_and_oversized_replies_are_refused(app, texter, recorder):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "   "})
    assert "Write a reply first" in client.get(f"/inbox/c/{conv_id}").get_data(as_text=True)
    refused = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "x" * 2000})
    assert refused.status_code == 400
    assert "limited to 1500 characters" in refused.get_data(as_text=True)
    assert ">" + "x" * 2000 + "</textarea>" in refused.get_data(as_text=True), "kept in the box to shorten"
    assert recorder.calls("Messages.json") == []


def test_claim_and_close(app, texter):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    staff.post_form(client, f"/inbox/c/{conv_id}/claim")
    assert only_conversation(app)["claimed_by"] == "sam"
    staff.post_form(client, f"/inbox/c/{conv_id}/close")
    assert app.extensions["inbox"].listing() == []
    sms(texter, "hello? anyone")
    assert app.extensions["inbox"].listing() == [], "a closed conversation keeps its transcript but stays closed"
    assert app.extensions["inbox"].messages(conv_id)[-2]["text"] == "hello? anyone"
    sms(texter, EMERGENCY)
    assert only_conversation(app)["status"] == "open", "a new emergency reopens it"


def test_markup_from_a_texter_is_escaped(app, texter):
    sms(texter, "i want to talk to staff")
    sms(texter, "<script>alert(1)</script><b>bold</b>")
    conv_id = only_conversation(app)["id"]
    page = staff.staff_client(app).get(f"/inbox/c/{conv_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold" not in page


# -- notifying staff where they are --------------------------------------------------------------

def test_new_emergency_notifies_the_staff_chat_without_identity(engine, real_redis, recorder):
    app = make_app(engine, real_redis, recorder, STAFF_TELEGRAM_CHAT_ID="-100777")
    app.extensions["conversations"].hours = None
    texter = app.test_client()
    sms(texter, EMERGENCY)
    sms(texter, "please hurry")                   # joins; no second alert
    sms(texter, "i want to talk to staff", sender="+17805550999")   # not urgent: no alert
    (note,) = recorder.calls("/sendMessage")
    conv = [c for c in app.extensions["inbox"].listing() if c["priority"] == "0"][0]
    assert int(note["chat_id"]) == -100777
    assert conv["pseudonym"] in note["text"] and "EMERGENCY" in note["text"]
    assert f"{PUBLIC_URL}/inbox/c/{conv['id']}" in note["text"]
    assert PHONE not in note["text"] and "5550142" not in note["text"] and EMERGENCY not in note["text"]


# -- accounts from the command line --------------------------------------------------------------

def test_users_cli_adds_lists_and_removes(real_redis):
    port = real_redis.connection_pool.connection_kwargs["port"]
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "PYTHONPATH": str(ROOT)}

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "bot", "users", *args], input=stdin, env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    added = run("add", "Lee", "--role", "editor", "--password-stdin", stdin="a long passphrase\n")
    assert added.returncode == 0, added.stderr
    assert Users(real_redis).check("lee", "a long passphrase") == "editor"
    stored = real_redis.hget("users", "lee")
    assert "a long passphrase" not in stored and json.loads(stored)["hash"].startswith("$argon2")
    short = run("add", "max", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 10" in short.stderr
    assert run("list").stdout.strip() == "lee\teditor"
    assert run("remove", "lee").stdout.strip() == "removed"
    assert Users(real_redis).list() == []
    no_store = subprocess.run([sys.executable, "-m", "bot", "users", "list"], env={**env, "REDIS_URL": ""}, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert no_store.returncode == 2 and "REDIS_URL" in no_store.stderr

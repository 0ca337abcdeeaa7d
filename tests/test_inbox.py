"""The staff inbox through the Flask app: logins, CSRF, lock-out, escalation, replies through the real SDKs
to the local recorder, expiry, opt-out and DELETE. Real Redis throughout."""
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from bot.inbox.hours import DAYS, StaffHours
from bot.inbox.users import Users
from tests import staff
from tests.helpers import sms_webhook, telegram_webhook
from tests.helpers.common import PUBLIC_URL, ROOT, make_app

PHONE = "+17805550142"
EMERGENCY = "my friend is not breathing"


def texts(response):
    assert response.status_code == 200, response.data
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


def sms(client, body, sender=PHONE):
    return texts(sms_webhook.post(client, sms_webhook.form(body, sender=sender)))


@pytest.fixture
def app(channel_app):
    channel_app.extensions["services"].conversations.hours = None   # always staffed, unless a test says otherwise
    return channel_app


@pytest.fixture
def texter(app):
    return app.test_client()


def only_conversation(app):
    convs = app.extensions["services"].inbox.listing()
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
    Users(app.extensions["services"].redis).remove("kim")
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
    for _ in range(Users.FREE_TRIES):
        response = staff.log_in(client, "ana", "wrong password!")
        assert response.status_code == 401 and b"Wrong user name or password" in response.data
    response = staff.log_in(client, "ana")     # the right password, too soon
    assert response.status_code == 429 and b"locked" in response.data
    assert app.test_client().get("/inbox").status_code == 302
    other = staff.staff_client(app, "bo")       # other accounts are unaffected
    assert other.get("/inbox").status_code == 200
    # The wait runs out (here: the counter's expiry, shortened).
    redis = app.extensions["services"].redis
    for key in redis.scan_iter("login-pair:*"):
        redis.pexpire(key, 1)
    time.sleep(0.05)
    assert staff.log_in(client, "ana").status_code == 302


def test_roles_and_wrong_password_for_unknown_user(app):
    client = app.test_client()
    assert staff.log_in(client, "nobody", "whatever12345").status_code == 401
    editor = staff.staff_client(app, "eddie", "editor")
    assert editor.get("/inbox").status_code == 200
    assert "eddie (editor)" in editor.get("/inbox").get_data(as_text=True)
    with editor.session_transaction() as s:
        assert "role" not in s and "user" not in s, "who and what role come from the store, not the cookie"


# -- sessions end when they should (issue 13) ----------------------------------------------------

def copy_of_cookie(app, client):
    """Another browser holding a copy of this client's session cookie (as an attacker who kept it)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app):
    client = staff.staff_client(app)
    kept = copy_of_cookie(app, client)
    assert kept.get("/inbox").status_code == 200
    staff.post_form(client, "/logout")
    assert client.get("/inbox").status_code == 302
    assert kept.get("/inbox").status_code == 302 and "/login" in kept.get("/inbox").location
    assert kept.get("/inbox/list.json").status_code == 401


def test_demotion_and_new_password_end_sessions_at_once(app):
    editor = staff.staff_client(app, "eddie", "editor")
    assert editor.get("/inbox/preview").status_code == 200
    kept = copy_of_cookie(app, editor)
    users = app.extensions["services"].users
    assert users.set_role("eddie", "staff")
    assert editor.get("/inbox/preview").status_code == 302 and kept.get("/inbox").status_code == 302
    again = staff.client_for(app, "eddie")
    assert again.get("/inbox/preview").status_code == 403, "the new role holds"
    assert again.get("/inbox").status_code == 200
    users.add("eddie", "a brand new passphrase", "staff")          # password changed
    assert again.get("/inbox").status_code == 302
    assert staff.log_in(app.test_client(), "eddie").status_code == 401


# -- lock-out can't be turned against staff (issue 13) -------------------------------------------

def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_someone_elses_guessing_does_not_lock_a_person_out(app):
    staff.add_user(app, "sam")
    usual = from_address(app, "198.51.100.7")
    assert staff.log_in(usual, "sam").status_code == 302             # sam's usual place
    staff.post_form(usual, "/logout")
    attacker = from_address(app, "203.0.113.66")
    codes = [staff.log_in(attacker, "sam", f"guess number {i}").status_code for i in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    assert staff.log_in(from_address(app, "198.51.100.7"), "sam").status_code == 302
    assert staff.log_in(from_address(app, "192.0.2.10"), "sam").status_code == 302, "a new place is fine too"


def test_waits_grow_with_each_further_wrong_password(app):
    staff.add_user(app, "sam")
    users, redis = app.extensions["services"].users, app.extensions["services"].redis
    waits = []
    for _ in range(Users.FREE_TRIES + 3):
        result = users.check("sam", "wrong password", "203.0.113.5")
        if result.wait:
            waits.append(result.wait)
            for key in redis.scan_iter("login-pair:*"):      # as if the wait had passed
                redis.hset(key, "until", 0)
            result = users.check("sam", "wrong password", "203.0.113.5")
        assert result.role is None
    pair = next(redis.scan_iter("login-pair:*"))
    assert float(redis.hget(pair, "until")) - time.time() > Users.FIRST_WAIT * 4 - 5, "the wait doubled each time"


def test_a_flood_from_many_addresses_locks_only_new_places_and_an_admin_can_unlock(app, real_redis):
    staff.add_user(app, "sam")
    assert staff.log_in(from_address(app, "198.51.100.7"), "sam").status_code == 302
    users = app.extensions["services"].users
    for i in range(Users.ACCOUNT_LIMIT):
        users.check("sam", "wrong password", f"203.0.113.{i}")
    assert staff.log_in(from_address(app, "192.0.2.10"), "sam").status_code == 429
    assert staff.log_in(from_address(app, "198.51.100.7"), "sam").status_code == 302, "the usual place still works"
    port = real_redis.connection_pool.connection_kwargs["port"]
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "PYTHONPATH": str(ROOT),
           "BOT_SECRET_KEY": "k" * 32}
    done = subprocess.run([sys.executable, "-m", "bot", "users", "unlock", "sam"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "unlocked" in done.stdout, done.stderr
    assert staff.log_in(from_address(app, "192.0.2.10"), "sam").status_code == 302


def test_concurrent_guesses_cannot_slip_past_the_limit(app):
    import threading
    staff.add_user(app, "sam")
    clients = [from_address(app, "203.0.113.9") for _ in range(12)]
    tokens = [staff.csrf_token(c) for c in clients]
    codes, start = [], threading.Barrier(len(clients))

    def guess(client, token, password):
        start.wait()
        codes.append(client.post("/login", data={"username": "sam", "password": password, "csrf_token": token}).status_code)
    threads = [threading.Thread(target=guess, args=(c, t, staff.PASSWORD if i == 11 else f"guess {i}"))
               for i, (c, t) in enumerate(zip(clients, tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = [c for c in codes if c != 429]
    assert len(checked) <= Users.FREE_TRIES, codes


def test_login_failures_are_counted_under_a_keyed_hash(app):
    import hashlib
    typed = "7805552468"
    staff.log_in(app.test_client(), typed, "whatever12345")
    keys = " ".join(app.extensions["services"].redis.scan_iter("*"))
    assert "login-" in keys
    assert typed not in keys and hashlib.sha256(typed.encode()).hexdigest()[:24] not in keys
    for length in (16, 24, 32, 64):
        assert hashlib.sha256(typed.encode()).hexdigest()[:length] not in keys, "not a bare hash of what was typed"


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
    convs = app.extensions["services"].inbox.listing()
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
    app.extensions["services"].conversations.hours = StaffHours(zone, {DAYS[tomorrow]: "09:00-17:00"})
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
    said = [m["text"] for m in app.extensions["services"].inbox.messages(conv["id"]) if m["who"] == "texter"]
    assert said == ["i want to talk to staff", "its about my roommate", EMERGENCY]


def test_texter_words_are_scrubbed_in_the_transcript(app, texter):
    sms(texter, "i want to talk to staff")
    sms(texter, "call me at 780-555-0199 my name is Jordan")
    said = [m["text"] for m in app.extensions["services"].inbox.messages(only_conversation(app)["id"]) if m["who"] == "texter"]
    assert "780-555-0199" not in said[1] and "Jordan" not in said[1]
    assert said[1] == "call me at [phone] my name is [name]"


def test_delete_erases_the_conversation_at_once(app, texter):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    (confirmation,) = sms(texter, "DELETE")
    assert "erased" in confirmation.lower()
    assert app.extensions["services"].inbox.listing() == []
    assert app.extensions["services"].inbox.get(conv_id) is None and app.extensions["services"].inbox.address(conv_id) is None
    redis = app.extensions["services"].redis
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
    telegram_webhook.post(texter, telegram_webhook.message_update("/start"))
    telegram_webhook.post(texter, telegram_webhook.message_update("talk to a worker please"))
    conv = only_conversation(app)
    assert conv["channel"] == "telegram"
    client = staff.staff_client(app)
    staff.post_form(client, f"/inbox/c/{conv['id']}/reply", {"text": "Hello from staff"})
    (sent,) = recorder.calls("/sendMessage")
    assert int(sent["chat_id"]) == telegram_webhook.CHAT and sent["text"] == "Hello from staff"


def test_reply_to_an_expired_conversation_is_refused_clearly(app, texter, recorder):
    sms(texter, EMERGENCY)
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    token = staff.csrf_token(client, f"/inbox/c/{conv_id}")    # the page was open when time ran out
    redis = app.extensions["services"].redis
    for key in redis.scan_iter("inbox:*"):
        if key != "inbox:queue":
            redis.pexpire(key, 1)
    time.sleep(0.05)
    response = client.post(f"/inbox/c/{conv_id}/reply", data={"text": "still there?", "csrf_token": token})
    assert response.status_code == 302
    assert "Not sent: this conversation has expired" in staff.flashes(client)
    assert recorder.calls("Messages.json") == []
    assert app.extensions["services"].inbox.listing() == []


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
    assert app.extensions["services"].inbox.listing() == []
    sms(texter, "hello? anyone")
    assert app.extensions["services"].inbox.listing() == [], "a closed conversation keeps its transcript but stays closed"
    assert app.extensions["services"].inbox.messages(conv_id)[-2]["text"] == "hello? anyone"
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
    app.extensions["services"].conversations.hours = None
    texter = app.test_client()
    sms(texter, EMERGENCY)
    sms(texter, "please hurry")                   # joins; no second alert
    sms(texter, "i want to talk to staff", sender="+17805550999")   # not urgent: no alert
    recorder.wait_for("/sendMessage")            # sent off the texter's request, so a moment later
    assert app.extensions["services"].background.idle(10), "nothing else was queued meanwhile"
    (note,) = recorder.calls("/sendMessage")
    conv = [c for c in app.extensions["services"].inbox.listing() if c["priority"] == "0"][0]
    assert int(note["chat_id"]) == -100777
    assert conv["pseudonym"] in note["text"] and "EMERGENCY" in note["text"]
    assert f"{PUBLIC_URL}/inbox/c/{conv['id']}" in note["text"]
    assert PHONE not in note["text"] and "5550142" not in note["text"] and EMERGENCY not in note["text"]


def test_a_slow_staff_chat_does_not_hold_up_the_texters_answer(engine, real_redis, recorder):
    app = make_app(engine, real_redis, recorder, STAFF_TELEGRAM_CHAT_ID="-100777")
    app.extensions["services"].conversations.hours = None
    release = threading.Event()
    original = recorder.respond

    def slow(path, params):
        if path.endswith("/sendMessage"):
            release.wait(10)
        return original(path, params)
    recorder.respond = slow
    try:
        started = time.monotonic()
        first, second = sms(app.test_client(), EMERGENCY)
        assert "911" in first and "alerted" in second and time.monotonic() - started < 5
        assert not app.extensions["services"].background.idle(0), "the alert is still on its way"
    finally:
        release.set()
    (note,) = recorder.wait_for("/sendMessage")
    assert "EMERGENCY" in note["text"]
    assert app.extensions["services"].background.idle(10)


# -- accounts from the command line --------------------------------------------------------------

def test_users_cli_adds_lists_and_removes(real_redis):
    port = real_redis.connection_pool.connection_kwargs["port"]
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "PYTHONPATH": str(ROOT)}

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "bot", "users", *args], input=stdin, env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    added = run("add", "Lee", "--role", "editor", "--password-stdin", stdin="a long passphrase\n")
    assert added.returncode == 0, added.stderr
    assert Users(real_redis, b"k" * 32).check("lee", "a long passphrase").role == "editor"
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


# -- what an auditor found (issue 13) ------------------------------------------------------------

def no_key_lives_forever(redis):
    """Everything kept about a texter expires: a key without a TTL would outlive every promise."""
    forever = [k for k in redis.scan_iter("*") if redis.ttl(k) == -1 and k.startswith(("inbox:conv:", "inbox:msgs:",
                                                                                        "inbox:addr:", "inbox:sender:"))]
    assert not forever, forever


def test_staff_reply_is_stored_scrubbed_after_a_warning_and_sent_as_written(app, texter, recorder):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    risky = "Jordan, I will call you at 780-555-7070"
    page = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": risky}, page=f"/inbox/c/{conv_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Not sent yet" in body and "a phone number" in body and "a name" in body
    assert risky in body, "the draft is kept for the confirm step"
    confirm = re.search(r'name="confirmed" value="([0-9a-f]+)"', body).group(1)
    assert recorder.calls("Messages.json") == [], "nothing goes out before staff confirm"
    edited = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": risky + " or 780-555-0000",
                                                                   "confirmed": confirm}, page=f"/inbox/c/{conv_id}")
    assert edited.status_code == 200 and recorder.calls("Messages.json") == [], "an edited reply is checked again"
    response = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": risky, "confirmed": confirm},
                               page=f"/inbox/c/{conv_id}")
    assert response.status_code == 302
    (sent,) = recorder.calls("Messages.json")
    assert sent["Body"] == risky, "the texter gets the reply as written"
    stored = app.extensions["services"].inbox.messages(conv_id)[-1]
    assert stored["who"] == "staff:sam" and stored["text"] == "[name], I will call you at [phone]"
    from tests.helpers.store import dump_redis
    everything = dump_redis(app.extensions["services"].redis)
    assert "780-555-7070" not in everything and "Jordan" not in everything


def test_a_reply_without_numbers_or_names_is_sent_without_a_confirm_step(app, texter, recorder):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    response = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "Are you safe? Call 911 if not."})
    assert response.status_code == 302 and len(recorder.calls("Messages.json")) == 1


def test_staff_replies_do_not_keep_the_sealed_address_alive(app, texter, recorder):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    redis = app.extensions["services"].redis
    keys = [f"inbox:conv:{conv_id}", f"inbox:msgs:{conv_id}", f"inbox:addr:{conv_id}"]
    for key in keys:                    # as if the texter's last message was long ago
        redis.expire(key, 100)
    client = staff.staff_client(app)
    for _ in range(3):
        staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "Still here if you need us."})
        staff.post_form(client, f"/inbox/c/{conv_id}/claim")
    assert len(recorder.calls("Messages.json")) == 3
    assert all(0 < redis.ttl(key) <= 100 for key in keys), [redis.ttl(k) for k in keys]
    sms(texter, "thanks")               # the texter's own message is what renews it
    hours = app.extensions["services"].inbox.ttl
    assert all(redis.ttl(key) > hours - 60 for key in keys)


def test_staff_reply_racing_the_texters_delete_gets_a_clear_message(app, texter, recorder):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    client = staff.staff_client(app)
    answer = recorder.respond

    def texter_deletes_meanwhile(path, params):     # while Twilio is being called, the texter sends DELETE
        if path.endswith("Messages.json"):
            assert "erased" in sms(app.test_client(), "DELETE")[0]
        return answer(path, params)
    recorder.respond = texter_deletes_meanwhile
    response = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "Hi, are you ok?"})
    assert response.status_code == 302
    assert "erased the conversation" in staff.flashes(client)
    redis = app.extensions["services"].redis
    assert not [k for k in redis.scan_iter("inbox:*") if k != "inbox:queue"], "nothing recreated after DELETE"


def test_an_address_that_will_not_open_gets_a_clear_message(engine, app, texter, real_redis, recorder):
    sms(texter, "i want to talk to staff")
    conv_id = only_conversation(app)["id"]
    rotated = make_app(engine, real_redis, recorder, BOT_ADDRESS_KEY="cd" * 32)   # BOT_ADDRESS_KEY changed
    client = staff.staff_client(rotated)
    response = staff.post_form(client, f"/inbox/c/{conv_id}/reply", {"text": "Are you ok?"})
    assert response.status_code == 302
    assert "address could not be opened" in staff.flashes(client)
    assert recorder.calls("Messages.json") == []


def test_login_next_with_line_breaks_redirects_safely(app):
    staff.add_user(app, "sam")
    client = app.test_client()
    token = staff.csrf_token(client)
    for target in ("/inbox\r\nSet-Cookie: x=1", "/inbox/%0d%0aX: y", "//evil.example/inbox", "/inbox\\..\\x"):
        client = app.test_client()
        token = staff.csrf_token(client)
        response = client.post("/login?next=" + target.replace("\r", "%0d").replace("\n", "%0a"),
                               data={"username": "sam", "password": staff.PASSWORD, "csrf_token": token})
        assert response.status_code == 302, (target, response.status_code)
        assert "\r" not in response.location and "\n" not in response.location and "evil" not in response.location


def test_canned_replies_are_filled_in_for_every_topic_and_language(app, engine):
    import html
    import re
    inbox = app.extensions["services"].inbox
    client = staff.staff_client(app)
    topics = engine.content.topics
    for lang in engine.languages:
        conv, _ = inbox.escalate(f"sender-{lang}", "sms", "+17805550100", "staff", lang)
        page = client.get(f"/inbox/c/{conv['id']}").get_data(as_text=True)
        canned = [html.unescape(t) for t in re.findall(r'data-text="([^"]*)"', page)]
        assert len(canned) == len(topics), lang
        for text in canned:
            assert "{" not in text and "}" not in text, (lang, text)
        joined = "\n".join(canned)
        assert engine.config.emergency_number in joined
        for service, value in engine.config.placeholders(lang).items():
            if any("{" + service + "}" in t.text(lang)[0].answer for t in topics.values()):
                assert value in joined, (lang, service)


def _at(hours: StaffHours, day: int, clock: str) -> dt.datetime:
    """A local time on a weekday (0 = Monday) of the week of 1 December 2025, in UTC as the bot sees it."""
    local = dt.datetime.combine(dt.date(2025, 12, 1) + dt.timedelta(days=day), dt.time.fromisoformat(clock), hours.zone)
    return local.astimezone(dt.timezone.utc)


def test_a_shift_that_crosses_midnight_covers_both_days():
    hours = StaffHours("America/Edmonton", {"mon": "22:00-02:00"})
    assert hours.staffed(_at(hours, 0, "23:30")) and hours.staffed(_at(hours, 1, "01:00"))
    assert hours.staffed(_at(hours, 0, "22:00")) and not hours.staffed(_at(hours, 1, "02:00"))
    assert not hours.staffed(_at(hours, 0, "21:59")) and not hours.staffed(_at(hours, 0, "01:00")), \
        "Monday's shift starts on Monday night: Monday 01:00 is Sunday's night, not staffed"
    assert hours.next_start(_at(hours, 1, "03:00")) == dt.datetime.combine(dt.date(2025, 12, 8), dt.time(22), hours.zone)


def test_a_sunday_night_shift_runs_into_monday_and_day_shifts_are_unchanged():
    hours = StaffHours("America/Edmonton", {"sun": "20:00-04:00", "mon": "09:00-17:00"})
    assert hours.staffed(_at(hours, 0, "03:59")) and not hours.staffed(_at(hours, 0, "04:00"))
    assert hours.staffed(_at(hours, 0, "09:00")) and not hours.staffed(_at(hours, 0, "17:00"))
    assert hours.next_start(_at(hours, 0, "05:00")).time() == dt.time(9)
    assert StaffHours("America/Edmonton", {"mon": "09:00-09:00"}).staffed(_at(hours, 1, "08:00")), \
        "an end equal to the start is a whole day"

"""Telegram through the Flask app with real update JSON, real Redis and python-telegram-bot."""
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.helpers.common import ROOT, TELEGRAM_SECRET
from tests.helpers.telegram_webhook import CHAT, call_of, callback_update, message_update, post, user


@pytest.fixture
def client(channel_app):
    return channel_app.test_client()


def test_message_is_answered_in_the_webhook_response(client):
    call = call_of(post(client, message_update("where can i get narcan")))
    assert call["method"] == "sendMessage" and call["chat_id"] == CHAT
    assert "aloxone" in call["text"]


def test_wrong_or_missing_secret_is_refused(client, real_redis):
    assert post(client, message_update("hi"), secret="nope").status_code == 403
    assert post(client, message_update("hi"), secret=None).status_code == 403
    assert not real_redis.keys("state:*")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "x"}',
                                  b'{"update_id": 5, "message": "text"}', b'{"update_id": 6, "message": {"chat": 5}}'])
def test_malformed_updates_get_400(client, body):
    response = client.post("/telegram", data=body, content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 400


def test_commands(client, engine):
    start = call_of(post(client, message_update("/start")))
    assert engine.config.org_name in start["text"]
    helped = call_of(post(client, message_update("/help@test_bot")))
    assert "STOP" in helped["text"] and "911" in helped["text"]
    menu = call_of(post(client, message_update("/menu")))
    buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]
    assert buttons[1]["callback_data"] == "t:naloxone" and buttons[1]["text"].startswith("2.")
    french = call_of(post(client, message_update("/lang fr")))
    assert "français" in french["text"]
    choose = call_of(post(client, message_update("/lang")))
    assert [b["callback_data"] for b in choose["reply_markup"]["inline_keyboard"][-1]] == ["lang:en", "lang:fr", "lang:es"]


def test_callback_button_answers_topic_and_stops_the_spinner(client, recorder):
    update = callback_update("t:naloxone")
    call = call_of(post(client, update))
    assert call["chat_id"] == CHAT and "aloxone" in call["text"]
    # Answered off the webhook's path, so it may arrive just after the response.
    (answered,) = recorder.wait_for("/answerCallbackQuery")
    assert answered["callback_query_id"] == update["callback_query"]["id"]
    assert recorder.calls("/getMe")   # python-telegram-bot really initialised against the recorder


def test_the_webhook_does_not_wait_for_the_callback_answer(channel_app, client, recorder):
    """Telegram answering slowly (here: not at all until released) does not hold up the reply."""
    release = threading.Event()
    original = recorder.respond

    def slow(path, params):
        if path.endswith("/answerCallbackQuery"):
            release.wait(10)
        return original(path, params)
    recorder.respond = slow
    try:
        started = time.monotonic()
        call = call_of(post(client, callback_update("t:naloxone")))
        assert "aloxone" in call["text"] and time.monotonic() - started < 5
        assert not channel_app.extensions["services"].background.idle(0), "the answer is still on its way"
    finally:
        release.set()
    recorder.wait_for("/answerCallbackQuery")


def test_one_bot_and_one_getme_across_many_sends(channel_app, client, recorder):
    outbox = channel_app.extensions["services"].outbox
    for n in range(6):
        assert outbox.send("telegram", str(CHAT + n), f"staff reply {n}") == "sent"
    for _ in range(3):
        call_of(post(client, callback_update("t:naloxone")))
    recorder.wait_for("/answerCallbackQuery", 3)
    assert len(recorder.calls("/sendMessage")) == 6
    assert len(recorder.calls("/getMe")) == 1, "one long-lived Bot, initialised once"


def test_more_button(client):
    first = call_of(post(client, message_update("how does naloxone work")))
    rows = first["reply_markup"]["inline_keyboard"] if "reply_markup" in first else []
    if rows:   # Telegram gets the whole answer when it fits; a MORE button only when it doesn't
        assert rows[-1][0]["callback_data"] == "more"
        assert call_of(post(client, callback_update("more")))["text"]


def test_did_you_mean_as_buttons(client):
    call = call_of(post(client, message_update("fentanyl overdose")))
    data = [row[0]["callback_data"] for row in call["reply_markup"]["inline_keyboard"]]
    assert {"t:fentanyl", "t:overdose"} <= set(data)
    picked = call_of(post(client, callback_update("t:overdose")))
    assert "verdose" in picked["text"]


def test_edited_message_is_answered(client):
    call = call_of(post(client, message_update("narcan", kind="edited_message")))
    assert "aloxone" in call["text"]


@pytest.mark.parametrize("update", [
    {"update_id": 77001, "my_chat_member": {"chat": {"id": CHAT, "type": "private"}, "from": user(), "date": 1,
                                            "old_chat_member": {"status": "member", "user": user()},
                                            "new_chat_member": {"status": "kicked", "user": user(), "until_date": 0}}},
    {"update_id": 77002, "poll": {"id": "1", "question": "q", "options": [], "total_voter_count": 0, "is_closed": False,
                                  "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}},
    {"update_id": 77003, "some_future_update": {"x": 1}},
])
def test_unknown_update_types_are_accepted_quietly(client, update):
    response = post(client, update)
    assert response.status_code == 200 and not response.data


def test_sticker_gets_a_sensible_reply(client):
    update = message_update("x")
    update["message"].pop("text")
    update["message"]["sticker"] = {"file_id": "a", "file_unique_id": "b", "type": "regular", "width": 1, "height": 1,
                                    "is_animated": False, "is_video": False}
    assert "MENU" in call_of(post(client, update))["text"]


def test_retried_update_gets_the_same_reply(client):
    """Telegram resends an update it got no answer to: the webhook reply is sent again, the same."""
    update = message_update("narcan")
    first = call_of(post(client, update))
    assert "aloxone" in first["text"]
    assert call_of(post(client, update)) == first


def test_stop_then_start_and_no_staff_reply_meanwhile(channel_app, client, recorder):
    assert "START" in call_of(post(client, message_update("/stop")))["text"]
    silent = post(client, message_update("narcan"))
    assert silent.status_code == 200 and not silent.data
    assert channel_app.extensions["services"].outbox.send("telegram", str(CHAT), "staff reply") == "opted_out"
    assert call_of(post(client, message_update("he is not breathing")))["text"].startswith("911")
    call_of(post(client, message_update("/start")))
    assert channel_app.extensions["services"].outbox.send("telegram", str(CHAT), "staff reply") == "sent"
    sent = recorder.calls("/sendMessage")
    assert sent[-1]["chat_id"] == str(CHAT) and sent[-1]["text"] == "staff reply"


def _cli(recorder, *args):
    env = dict(os.environ, TELEGRAM_BOT_TOKEN="123456:TEST-token", TELEGRAM_API_BASE=recorder.url,
               TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET, PUBLIC_URL="https://bot.example.org", REDIS_URL="")
    return subprocess.run([sys.executable, "-m", "handlers", "telegram", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_set_webhook_command_registers_url_and_secret(recorder):
    run = _cli(recorder, "set-webhook")
    assert run.returncode == 0, run.stderr
    (call,) = recorder.calls("/setWebhook")
    assert call["url"] == "https://bot.example.org/telegram" and call["secret_token"] == TELEGRAM_SECRET


def test_polling_mode_answers_through_the_bot_api(recorder):
    recorder.updates = [message_update("narcan")]
    run = _cli(recorder, "poll", "--rounds", "1", "--timeout", "0")
    assert run.returncode == 0, run.stderr
    (sent,) = recorder.calls("/sendMessage")
    assert sent["chat_id"] == str(CHAT) and "aloxone" in sent["text"]

"""Telegram webhook: POST /telegram, checked by the secret token, answered in the response."""
import hmac
import logging

from flask import Blueprint, Response, current_app, jsonify, request
from telegram import Bot, Update

from bot.messages import Message
from bot.privacy.identity import sender_key
from bot.store import metrics
from bot.text.budgets import fit_for
from handlers.channels import telegram_updates as tg
from handlers.services import services

log = logging.getLogger(__name__)
bp = Blueprint("telegram", __name__)
_PARSE_BOT = Bot("0:parse-only")
HANDLED = {"message", "edited_message", "callback_query"}   # de_json needs a Bot; this one never makes a call


def answer_update(app, update: Update):
    """(chat_id, sendMessage call or None) for one update; shared by the webhook and polling."""
    found = tg.incoming(update)
    if found is None:
        return None, None
    wired = services(app)
    engine = wired.engine
    sender = sender_key("telegram", str(found.chat_id), wired.sender_key)
    if found.callback_id and wired.telegram_sender and wired.background:
        # Stops the button's spinner; queued, so the answer itself never waits on it.
        wired.background.submit(f"answerCallbackQuery (sender={sender[:8]})", wired.telegram_sender.call,
                                "answer_callback_query", callback_query_id=found.callback_id)
    message = Message(found.text, "telegram", sender, topic=found.topic)
    reply = wired.conversations.handle(message, event_id=str(update.update_id), address=str(found.chat_id))
    if reply is None or not reply.text:
        return found.chat_id, None
    more_label = engine.notice(reply.lang, "more_button")
    # One webhook response carries one message, so notices follow in the same one, after the reply.
    text = "\n\n".join([reply.text, *reply.followups])
    return found.chat_id, tg.send_message_call(found.chat_id, fit_for("telegram", text), tg.keyboard(reply, more_label))


@bp.post("/telegram")
def receive():
    redis = services().redis
    secret = current_app.config["TELEGRAM_WEBHOOK_SECRET"]
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        metrics.count(redis, "telegram_forged")
        log.warning("refused /telegram: bad or missing secret token")
        return Response("forbidden\n", 403, mimetype="text/plain")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        metrics.count(redis, "telegram_malformed")
        return Response("expected a Telegram update (JSON with update_id)\n", 400, mimetype="text/plain")
    if not HANDLED & data.keys():
        return Response("", 200)   # a kind of update the bot does not answer (member changes, polls...)
    try:
        update = Update.de_json(data, _PARSE_BOT)
        found = tg.incoming(update)   # de_json checks no types: a list for text or a chat without id fails here
    except Exception:
        found = update = None
    # Not a 200 with the error notice (and a logged crash) for what Telegram never sends: a 400. Chat ids
    # are integers; a string there could be anything (a lone surrogate made the sender hash crash).
    if update is None or (found is not None and type(found.chat_id) is not int):
        metrics.count(redis, "telegram_malformed")
        return Response("not a valid Telegram update\n", 400, mimetype="text/plain")
    try:
        chat_id, call = answer_update(current_app, update)
    except Exception:
        log.exception("failed to answer a Telegram update")
        chat_id = _chat_of(update)
        if chat_id is None:
            return Response("", 200)
        call = tg.send_message_call(chat_id, services().engine.notice(None, "error"), None)
    if call is None:
        return Response("", 200)
    return jsonify(call)


def _chat_of(update: Update):
    chat = update.effective_chat
    return chat.id if chat else None

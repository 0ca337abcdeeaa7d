"""Twilio SMS and WhatsApp webhook: POST /sms, signed by Twilio, answered with TwiML."""
import logging

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.messages import Message
from bot.privacy.identity import sender_key
from bot.store import metrics
from bot.text.budgets import fit_for
from handlers.services import services

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)


def _twiml(*texts: str) -> Response:
    response = MessagingResponse()
    for text in texts:   # several <Message>s are delivered in order: the safety reply first
        if text:
            response.message(text)
    return Response(str(response), mimetype="application/xml")


def _called_url() -> str:
    """The URL Twilio signed: the public address when behind a TLS proxy, else what we received."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + request.full_path.rstrip("?")
    return request.url


@bp.post("/sms")
def receive():
    redis = services().redis
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token:
        log.error("refused /sms: TWILIO_AUTH_TOKEN is not set, so no request can be verified")
        return Response("forbidden\n", 403, mimetype="text/plain")
    if not signature or not RequestValidator(token).validate(_called_url(), request.form, signature):
        metrics.count(redis, "sms_forged")
        log.warning("refused /sms: bad or missing X-Twilio-Signature")
        return Response("forbidden\n", 403, mimetype="text/plain")
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    address = request.form.get("From", "")
    body = request.form.get("Body")
    if not sid or not address or body is None:
        metrics.count(redis, "sms_malformed")
        return Response("MessageSid, From and Body are required\n", 400, mimetype="text/plain")
    channel = "whatsapp" if address.startswith("whatsapp:") else "sms"
    sender = sender_key(channel, address, services().sender_key)
    engine = services().engine
    try:
        reply = services().conversations.handle(Message(body, channel, sender), event_id=sid, address=address)
    except Exception:
        # Never a 500 that Twilio retries and the texter never hears about: a safe answer instead.
        log.exception("failed to answer an SMS (sender=%s)", sender[:8])
        return _twiml(fit_for(channel, engine.notice(None, "error")))
    if reply is None or not reply.text:
        return _twiml()
    return _twiml(*(fit_for(channel, t) for t in [reply.text, *reply.followups]))

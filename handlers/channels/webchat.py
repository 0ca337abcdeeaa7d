"""The web page at / as a channel of its own: a texter there is reached by a random browser token.

The token lives only in the visitor's HttpOnly cookie. The store sees its keyed hash (the sender, as
for a phone number) and, once the texter asks for a person, the token sealed in their inbox
conversation like any other address. It expires after the conversation's retention time without
activity (the cookie's Max-Age, renewed by each message). Staff replies wait in bot.inbox.web_mailbox
until the page fetches them (it asks every few seconds)."""
import re
import secrets

from flask import Blueprint, current_app, jsonify, render_template, request

from bot.messages import Effect, Message
from bot.privacy.identity import keyed, sender_key
from bot.store import keys
from handlers.services import services

bp = Blueprint("webchat", __name__)
COOKIE = "hrbot_chat"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _token() -> tuple[str, bool]:
    """(this browser's token, whether it is new)."""
    token = request.cookies.get(COOKIE, "")
    if _TOKEN.match(token):
        return token, False
    return secrets.token_urlsafe(24), True


def _sender(token: str) -> str:
    return sender_key("web", token, services().sender_key)


def _with_cookie(response, token: str):
    response.set_cookie(COOKIE, token, max_age=services().inbox.ttl, httponly=True,
                        samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"], path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def page():
    current = services().config
    return render_template("chat.html", org=current.org_name, emergency=current.emergency_number)


@bp.post("/chat")
def message():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return jsonify(error="send JSON like {\"text\": \"your question\"}"), 400
    channel = "web"
    engine = services().engine
    if not _address_allowed(engine.config) and not engine.alarm(data["text"]):
        # Per client address, so dropping the cookie is no way round the per-visitor limit.
        # An emergency is still answered.
        return jsonify(error="too many messages from here; wait a minute", reply=engine.notice(None, "slow_down")), 429
    token, _ = _token()
    reply = services().conversations.handle(
        Message(data["text"], channel=channel, sender=_sender(token)), address=token, via="web")
    if reply is None:
        return _with_cookie(jsonify(error="already answered"), token), 409
    if Effect.ERASE in reply.effects:
        # DELETE erased everything under this sender; staff replies waiting for the page go too, and
        # the browser gets a new token, tied to nothing.
        services().web_mailbox.forget(_sender(token))
        token = secrets.token_urlsafe(24)
    return _with_cookie(jsonify(reply.as_dict()), token)


def _address_allowed(config) -> bool:
    """Whether this client address is within `limits.web_per_address_per_minute` on /chat. Counted
    under a keyed hash of the address (never the address itself), for one minute."""
    redis = services().redis
    key = keys.rate_web(keyed(services().client_address_key, request.remote_addr or ""))
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, 60, nx=True)
    count, _ = pipe.execute()
    return count <= config.web_per_address_per_minute


@bp.get("/chat/updates")
def updates():
    """Staff replies the page has not shown yet: ?seen=N is how many it has shown."""
    token, new = _token()
    if new:
        return jsonify(messages=[], seen=0)
    try:
        seen = int(request.args.get("seen", "0"))
    except ValueError:
        return jsonify(error="seen must be a number"), 400
    messages, total = services().web_mailbox.since(_sender(token), seen)
    response = jsonify(messages=[{"text": m["text"], "at": m["at"]} for m in messages], seen=total)
    response.headers["Cache-Control"] = "no-store"
    return response

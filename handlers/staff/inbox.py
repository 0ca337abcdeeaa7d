"""The staff inbox: log in, see escalations (emergencies on top), claim, reply through the texter's
channel, close. Server-rendered; the list and the open conversation refresh themselves."""
import datetime as dt
import functools
import hashlib
import logging
import re
import time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, session, url_for

from bot.content.load import render
from bot.inbox.inbox import Inbox, reply_window_closes
from handlers.services import services

log = logging.getLogger(__name__)
bp = Blueprint("inbox", __name__)
MAX_REPLY = 1500
REASONS = {"emergency": "EMERGENCY", "crisis": "CRISIS", "staff": "Asked for staff", "misses": "Bot couldn't help"}
# Where a login may send the browser on: an inbox path and nothing else (no CR/LF, no other host).
_NEXT = re.compile(r"^/inbox(?:/[A-Za-z0-9_.\-/]*)?$")
FOUND = {"phone": "a phone number", "email": "an email address", "address": "a street address", "name": "a name"}


def login_required(view=None, roles=("staff", "editor", "admin")):
    """The session is looked up in the store and the role read from the account on every request, so
    logging out, a new role or password, or a removed account takes effect at once."""
    if view is None:
        return functools.partial(login_required, roles=roles)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        users = services().users
        user = users.sessions.user(session.get("sid"))
        role = users.role(user) if user else None
        if role is None:
            session.clear()
            if request.path.endswith(".json"):
                return jsonify(error="log in first"), 401
            return redirect(url_for("inbox.login", next=request.path))
        g.staff_user, g.staff_role = user, role
        if role not in roles:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _inbox():
    return services().inbox


def _local(epoch: float, with_date: bool = True) -> str:
    """A time as staff read it: in the staff time zone of config.toml ([staff] timezone), zone named."""
    zone = ZoneInfo(services().config.staff_timezone)
    when = dt.datetime.fromtimestamp(float(epoch), zone)
    return when.strftime("%a %d %b %H:%M %Z" if with_date else "%H:%M")


def _view(conv: dict) -> dict:
    """What staff see of a conversation: pseudonym, channel, urgency, times. Never an address."""
    created = float(conv["created"])
    closes = reply_window_closes(conv)
    return {"id": conv["id"], "pseudonym": conv["pseudonym"], "channel": conv["channel"],
            "urgent": conv["priority"] == "0", "reason": REASONS.get(conv["reason"], conv["reason"]),
            "status": conv["status"], "claimed_by": conv.get("claimed_by", ""), "lang": conv.get("lang", "en"),
            "created": _local(created), "age_minutes": int((time.time() - created) // 60),
            "window_closes": _local(closes) if closes else "", "window_open": closes is None or time.time() < closes}


def _shown(messages: list[dict]) -> list[dict]:
    return [{**m, "time": _local(m["at"], with_date=False)} for m in messages]


@bp.route("/login", methods=["GET", "POST"])
def login():
    users = services().users
    if request.method == "POST":
        name = request.form.get("username", "").strip().lower()[:64]
        password = request.form.get("password", "")[:1024]
        # Someone may type a phone number into the name box: only real account names reach the log.
        shown = name if users.exists(name) else "(unknown)"
        result = users.check(name, password, request.remote_addr or "")
        if result.wait:
            log.warning("login refused: too many wrong passwords (%s) user=%s", result.why, shown)
            minutes = max(1, -(-result.wait // 60))
            where = "from here" if result.why == "address" else "for this account from a new place"
            flash(f"Too many wrong passwords {where}: this account is locked for about {minutes} minute(s). "
                  "You can still log in from where you usually do, or ask an admin to unlock it.", "error")
            return render_template("login.html"), 429
        if result.role is None:
            log.warning("login failed user=%s", shown)
            flash("Wrong user name or password.", "error")
            return render_template("login.html"), 401
        session.clear()   # a fresh session on login: nothing carried over from before
        session.permanent = True
        session["sid"] = users.sessions.start(name)
        log.info("login user=%s role=%s", name, result.role)
        target = request.args.get("next", "")
        return redirect(target if _NEXT.match(target) else url_for("inbox.listing"))
    return render_template("login.html")


@bp.post("/logout")
def logout():
    services().users.sessions.end(session.get("sid"))   # copies of the cookie stop working too
    session.clear()
    return redirect(url_for("inbox.login"))


@bp.get("/inbox")
@login_required
def listing():
    conversations = services().conversations
    conversations.deliver_spooled()
    # Admins are told of spooled escalations that could not be delivered (the log says why).
    quarantined = conversations.spool.quarantined() if conversations.spool and g.staff_role == "admin" else 0
    return render_template("inbox.html", conversations=[_view(c) for c in _inbox().listing()], quarantined=quarantined)


@bp.get("/inbox/list.json")
@login_required
def listing_json():
    services().conversations.deliver_spooled()
    return jsonify(conversations=[_view(c) for c in _inbox().listing()])


def _conversation_or_gone(conv_id):
    conv = _inbox().get(conv_id)
    if conv is None:
        flash("That conversation has expired or was deleted by the texter.", "error")
    return conv


@bp.get("/inbox/c/<conv_id>")
@login_required
def conversation(conv_id):
    conv = _conversation_or_gone(conv_id)
    if conv is None:
        return redirect(url_for("inbox.listing"))
    return _conversation_page(conv)


def _conversation_page(conv: dict, draft: str = "", status: int = 200, found=()):
    """The conversation with its canned replies; `draft` refills the reply box (a reply that could not
    be sent is not lost), and `found` is what a reply waiting for confirmation contains."""
    engine = services().engine
    canned = []
    for topic in engine.content.topics.values():
        text, used = topic.text(conv.get("lang", "en"))
        # Filled in with the values for the language the answer is in ({emergency}, services...).
        values = engine.values.get(used) or engine.values[engine.config.default_language]
        canned.append({"id": topic.id, "title": text.title, "text": render(text.answer, values)})
    canned.sort(key=lambda c: c["title"])
    return render_template("conversation.html", conv=_view(conv), messages=_shown(_inbox().messages(conv["id"])),
                           canned=canned, draft=draft, found=[FOUND[k] for k in found],
                           confirm=_fingerprint(draft)), status


def _fingerprint(text: str) -> str:
    """Ties a confirmation to the exact reply that was warned about: an edited reply is checked again."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@bp.get("/inbox/c/<conv_id>/messages.json")
@login_required
def messages_json(conv_id):
    conv = _inbox().get(conv_id)
    if conv is None:
        return jsonify(error="expired"), 404
    return jsonify(conversation=_view(conv), messages=_shown(_inbox().messages(conv_id)))


@bp.post("/inbox/c/<conv_id>/claim")
@login_required
def claim(conv_id):
    if _inbox().claim(conv_id, g.staff_user):
        log.info("claimed conversation=%s user=%s", (_inbox().get(conv_id) or {}).get("pseudonym"), g.staff_user)
        flash("You have claimed this conversation.", "ok")
        return redirect(url_for("inbox.conversation", conv_id=conv_id))
    _conversation_or_gone(conv_id)
    return redirect(url_for("inbox.listing"))


@bp.post("/inbox/c/<conv_id>/close")
@login_required
def close(conv_id):
    if _inbox().close(conv_id, g.staff_user):
        flash("Conversation closed.", "ok")
    else:
        _conversation_or_gone(conv_id)
    return redirect(url_for("inbox.listing"))


@bp.post("/inbox/c/<conv_id>/reply")
@login_required
def reply(conv_id):
    text = " ".join(request.form.get("text", "").split())
    back = url_for("inbox.conversation", conv_id=conv_id)
    conv = _inbox().get(conv_id)
    try:
        target = _inbox().address(conv_id) if conv else None
    except Inbox.Unopenable:
        log.error("sealed address did not open conversation=%s (was BOT_ADDRESS_KEY changed?)", conv["pseudonym"])
        flash("Not sent: this texter's address could not be opened (the server's address key may have changed), "
              "so there is no way to reach them from here.", "error")
        return redirect(back)
    if target is None or conv is None:
        flash("Not sent: this conversation has expired, so there is no way to reach the texter any more.", "error")
        return redirect(url_for("inbox.listing"))
    if not text:
        flash("Write a reply first.", "error")
        return redirect(back)
    if len(text) > MAX_REPLY:
        flash(f"Not sent: replies are limited to {MAX_REPLY} characters; this one has {len(text)}.", "error")
        return _conversation_page(conv, draft=text, status=400)
    # A number or a name in a reply is one more copy of it in the texter's messages: staff confirm first.
    # Staff introducing themselves ("this is Sam") is not the texter's name: their own is not flagged.
    own = re.sub(rf"(?i)\b{re.escape(g.staff_user)}\b", "Staff", text)
    found = services().scrubber.findings(own)
    if found and request.form.get("confirmed") != _fingerprint(text):
        flash(f"Not sent yet: this reply contains {' and '.join(FOUND[k] for k in found)}. "
              "Check it is needed, then send it anyway, or edit it.", "error")
        return _conversation_page(conv, draft=text, found=found)
    channel, address = target
    pseudonym = conv["pseudonym"]
    closes = reply_window_closes(conv)
    if closes is not None and time.time() >= closes:
        return _after_window(conv, channel, address, text, closes)
    status = services().outbox.send(channel, address, text)
    user = g.staff_user
    log.info("staff reply conversation=%s user=%s status=%s", pseudonym, user, status)
    if status != "sent":
        flash(_not_sent(status, pseudonym, channel) + " Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409 if status == "opted_out" else 502)
    # The texter gets it as written; the transcript keeps it scrubbed.
    if not _inbox().note(conv_id, f"staff:{user}", text):
        flash(f"Sent to {pseudonym}, but the texter erased the conversation (DELETE) meanwhile, or it "
              "expired, so the reply is not kept.", "ok")
        log.info("staff reply conversation=%s user=%s status=sent-after-erase", pseudonym, user)
        return redirect(url_for("inbox.listing"))
    if conv["status"] == "open":
        _inbox().claim(conv_id, user)
    flash(f"Sent to {pseudonym}.", "ok")
    return redirect(back)


def _not_sent(status: str, pseudonym: str, channel: str) -> str:
    if status == "opted_out":
        return f"Not sent: {pseudonym} texted STOP. Nothing can be sent until they text START."
    if status == "not_configured":
        return f"Not sent: the {channel} channel is not set up on this server."
    return f"Not sent: {channel} did not accept the message. Try again in a moment."


def _after_window(conv: dict, channel: str, address: str, text: str, closes: float):
    """WhatsApp after 24 h: only the operator's approved template may go, never the typed text."""
    closed = (f"WhatsApp allows a free reply only within 24 hours of the texter's last message; "
              f"{conv['pseudonym']}'s window closed {_local(closes)}.")
    template = services().config.whatsapp_template_sid
    if not template:
        log.info("staff reply conversation=%s user=%s status=window_closed", conv["pseudonym"], g.staff_user)
        flash(f"Not sent: {closed} No approved template is configured ([whatsapp] template_content_sid in "
              "config.toml), so nothing can reach them until they write again. Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409)
    outbox = services().outbox
    assert outbox is not None   # create_app always attaches one
    status = outbox.send(channel, address, "", template_sid=template)
    log.info("staff template conversation=%s user=%s status=%s", conv["pseudonym"], g.staff_user, status)
    if status != "sent":
        flash(_not_sent(status, conv["pseudonym"], channel) + " Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409 if status == "opted_out" else 502)
    # A system note (not scrubbed: the ContentSid is no phone number), naming who sent it.
    _inbox().note(conv["id"], "bot", f"[approved WhatsApp template {template} sent by {g.staff_user}]")
    flash(f"{closed} Your text was not sent; the approved template was sent instead. "
          "Your text is still in the box: send it once they answer.", "ok")
    return _conversation_page(_inbox().get(conv["id"]), draft=text)

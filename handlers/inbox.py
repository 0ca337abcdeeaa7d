"""The staff inbox: log in, see escalations (emergencies on top), claim, reply through the texter's
channel, close. Server-rendered; the list and the open conversation refresh themselves."""
import datetime as dt
import functools
import logging
import time
from zoneinfo import ZoneInfo

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session,
                   url_for)

from bot.content import render
from bot.inbox import reply_window_closes

log = logging.getLogger(__name__)
bp = Blueprint("inbox", __name__)
MAX_REPLY = 1500
REASONS = {"emergency": "EMERGENCY", "crisis": "CRISIS", "staff": "Asked for staff", "misses": "Bot couldn't help"}


def login_required(view=None, roles=("staff", "editor", "admin")):
    if view is None:
        return functools.partial(login_required, roles=roles)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        user = session.get("user")
        if not user or current_app.extensions["users"].role(user) is None:
            session.clear()
            if request.path.endswith(".json"):
                return jsonify(error="log in first"), 401
            return redirect(url_for("inbox.login", next=request.path))
        if session.get("role") not in roles:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _inbox():
    return current_app.extensions["inbox"]


def _local(epoch: float, with_date: bool = True) -> str:
    """A time as staff read it: in the staff time zone of config.toml ([staff] timezone), zone named."""
    zone = ZoneInfo(current_app.extensions["engine"].config.staff_timezone)
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
    users = current_app.extensions["users"]
    if request.method == "POST":
        name = request.form.get("username", "").strip().lower()[:64]
        password = request.form.get("password", "")[:1024]
        # Someone may type a phone number into the name box: only real account names reach the log.
        shown = name if users.exists(name) else "(unknown)"
        if users.locked(name):
            log.warning("login refused: account locked user=%s", shown)
            flash(f"Too many failed attempts: this account is locked for {users.LOCK_SECONDS // 60} minutes.", "error")
            return render_template("login.html"), 429
        role = users.check(name, password)
        if role is None:
            log.warning("login failed user=%s", shown)
            flash("Wrong user name or password.", "error")
            return render_template("login.html"), 401
        session.clear()   # a fresh session on login: nothing carried over from before
        session.permanent = True
        session.update(user=name, role=role)
        log.info("login user=%s role=%s", name, role)
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/inbox") else url_for("inbox.listing"))
    return render_template("login.html")


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("inbox.login"))


@bp.get("/inbox")
@login_required
def listing():
    current_app.extensions["conversations"].deliver_spooled()
    return render_template("inbox.html", conversations=[_view(c) for c in _inbox().listing()])


@bp.get("/inbox/list.json")
@login_required
def listing_json():
    current_app.extensions["conversations"].deliver_spooled()
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


def _conversation_page(conv: dict, draft: str = "", status: int = 200):
    """The conversation; `draft` refills the reply box (a reply that could not be sent is not lost)."""
    engine = current_app.extensions["engine"]
    canned = []
    for topic in engine.content.topics.values():
        text, _ = topic.text(conv.get("lang", "en"))
        canned.append({"id": topic.id, "title": text.title, "text": render(text.answer, engine.values)})
    canned.sort(key=lambda c: c["title"])
    return render_template("conversation.html", conv=_view(conv), messages=_shown(_inbox().messages(conv["id"])),
                           canned=canned, draft=draft), status


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
    if _inbox().claim(conv_id, session["user"]):
        log.info("claimed conversation=%s user=%s", _inbox().get(conv_id)["pseudonym"], session["user"])
        flash("You have claimed this conversation.", "ok")
        return redirect(url_for("inbox.conversation", conv_id=conv_id))
    _conversation_or_gone(conv_id)
    return redirect(url_for("inbox.listing"))


@bp.post("/inbox/c/<conv_id>/close")
@login_required
def close(conv_id):
    if _inbox().close(conv_id, session["user"]):
        flash("Conversation closed.", "ok")
    else:
        _conversation_or_gone(conv_id)
    return redirect(url_for("inbox.listing"))


@bp.post("/inbox/c/<conv_id>/reply")
@login_required
def reply(conv_id):
    text = " ".join(request.form.get("text", "").split())
    conv = _inbox().get(conv_id)
    target = _inbox().address(conv_id) if conv else None
    if target is None:
        flash("Not sent: this conversation has expired, so there is no way to reach the texter any more.", "error")
        return redirect(url_for("inbox.listing"))
    if not text:
        flash("Write a reply first.", "error")
        return redirect(url_for("inbox.conversation", conv_id=conv_id))
    if len(text) > MAX_REPLY:
        flash(f"Not sent: replies are limited to {MAX_REPLY} characters; this one has {len(text)}.", "error")
        return _conversation_page(conv, draft=text, status=400)
    channel, address = target
    pseudonym = conv["pseudonym"]
    closes = reply_window_closes(conv)
    if closes is not None and time.time() >= closes:
        return _after_window(conv, channel, address, text, closes)
    status = current_app.extensions["outbox"].send(channel, address, text)
    log.info("staff reply conversation=%s user=%s status=%s", pseudonym, session["user"], status)
    if status != "sent":
        flash(_not_sent(status, pseudonym, channel) + " Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409 if status == "opted_out" else 502)
    _inbox().note(conv_id, f"staff:{session['user']}", text)
    if _inbox().get(conv_id)["status"] == "open":
        _inbox().claim(conv_id, session["user"])
    flash(f"Sent to {pseudonym}.", "ok")
    return redirect(url_for("inbox.conversation", conv_id=conv_id))


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
    template = current_app.extensions["engine"].config.whatsapp_template_sid
    if not template:
        log.info("staff reply conversation=%s user=%s status=window_closed", conv["pseudonym"], session["user"])
        flash(f"Not sent: {closed} No approved template is configured ([whatsapp] template_content_sid in "
              "config.toml), so nothing can reach them until they write again. Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409)
    status = current_app.extensions["outbox"].send(channel, address, "", template_sid=template)
    log.info("staff template conversation=%s user=%s status=%s", conv["pseudonym"], session["user"], status)
    if status != "sent":
        flash(_not_sent(status, conv["pseudonym"], channel) + " Your reply is still in the box.", "error")
        return _conversation_page(conv, draft=text, status=409 if status == "opted_out" else 502)
    _inbox().note(conv["id"], f"staff:{session['user']}", f"[approved WhatsApp template {template} sent]")
    flash(f"{closed} Your text was not sent; the approved template was sent instead. "
          "Your text is still in the box: send it once they answer.", "ok")
    return _conversation_page(_inbox().get(conv["id"]), draft=text)

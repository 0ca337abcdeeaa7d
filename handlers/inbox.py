"""The staff inbox: log in, see escalations (emergencies on top), claim, reply through the texter's
channel, close. Server-rendered; the list and the open conversation refresh themselves."""
import datetime as dt
import functools
import logging

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session,
                   url_for)

from bot.content import render

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


def _view(conv: dict) -> dict:
    """What staff see of a conversation: pseudonym, channel, urgency, times. Never an address."""
    created = dt.datetime.fromtimestamp(float(conv["created"]), dt.timezone.utc)
    return {"id": conv["id"], "pseudonym": conv["pseudonym"], "channel": conv["channel"],
            "urgent": conv["priority"] == "0", "reason": REASONS.get(conv["reason"], conv["reason"]),
            "status": conv["status"], "claimed_by": conv.get("claimed_by", ""), "lang": conv.get("lang", "en"),
            "created": created.isoformat(timespec="seconds"), "age_minutes": int((dt.datetime.now(dt.timezone.utc) - created).total_seconds() // 60)}


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
    conversations = current_app.extensions["conversations"]
    conversations.deliver_spooled()
    # Admins are told of spooled escalations that could not be delivered (the log says why).
    quarantined = conversations.spool.quarantined() if conversations.spool and session.get("role") == "admin" else 0
    return render_template("inbox.html", conversations=[_view(c) for c in _inbox().listing()], quarantined=quarantined)


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
    engine = current_app.extensions["engine"]
    canned = []
    for topic in engine.content.topics.values():
        text, _ = topic.text(conv.get("lang", "en"))
        canned.append({"id": topic.id, "title": text.title, "text": render(text.answer, engine.values)})
    canned.sort(key=lambda c: c["title"])
    return render_template("conversation.html", conv=_view(conv), messages=_inbox().messages(conv_id), canned=canned)


@bp.get("/inbox/c/<conv_id>/messages.json")
@login_required
def messages_json(conv_id):
    conv = _inbox().get(conv_id)
    if conv is None:
        return jsonify(error="expired"), 404
    return jsonify(conversation=_view(conv), messages=_inbox().messages(conv_id))


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
    back = url_for("inbox.conversation", conv_id=conv_id)
    if not text:
        flash("Write a reply first.", "error")
        return redirect(back)
    if len(text) > MAX_REPLY:
        flash(f"Replies are limited to {MAX_REPLY} characters; this one has {len(text)}.", "error")
        return redirect(back)
    target = _inbox().address(conv_id)
    if target is None:
        flash("Not sent: this conversation has expired, so there is no way to reach the texter any more.", "error")
        return redirect(url_for("inbox.listing"))
    channel, address = target
    status = current_app.extensions["outbox"].send(channel, address, text)
    pseudonym = _inbox().get(conv_id)["pseudonym"]
    if status == "sent":
        _inbox().note(conv_id, f"staff:{session['user']}", text)
        if _inbox().get(conv_id)["status"] == "open":
            _inbox().claim(conv_id, session["user"])
        flash(f"Sent to {pseudonym}.", "ok")
    elif status == "opted_out":
        flash(f"Not sent: {pseudonym} texted STOP. Nothing can be sent until they text START.", "error")
    elif status == "not_configured":
        flash(f"Not sent: the {channel} channel is not set up on this server.", "error")
    else:
        flash(f"Not sent: {channel} did not accept the message. Try again in a moment.", "error")
    log.info("staff reply conversation=%s user=%s status=%s", pseudonym, session["user"], status)
    return redirect(back)

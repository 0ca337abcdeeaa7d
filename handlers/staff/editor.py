"""Pages for content editors, in the inbox: preview a reply on every channel, see what went
unanswered (and turn it into an example phrase), and the topic report."""
import logging

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from bot.content.load import ContentError
from bot.editing.edit import EditRefused, add_example
from bot.messages import Message
from bot.store import report
from bot.store.state import State
from bot.text import segments
from bot.text.budgets import fit_for
from handlers.channels import telegram_updates as tg
from handlers.services import services
from handlers.staff.inbox import login_required

log = logging.getLogger(__name__)
bp = Blueprint("editor", __name__)
EDITORS = ("editor", "admin")
CHANNELS = (("sms", "SMS"), ("whatsapp", "WhatsApp"), ("telegram", "Telegram"))


def _engine():
    return services().engine


def _sms_view(texts):
    out = []
    for text in texts:
        parts = segments.split_segments(text)
        out.append({"text": text, "segments": parts, "count": len(parts),
                    "encoding": "GSM-7" if segments.is_gsm7(text) else "UCS-2 (70 characters a segment)"})
    return out


def preview_of(text: str, lang: str | None) -> dict:
    """What each channel would send for this message from a new texter, and why."""
    engine = _engine()
    lang = lang if lang in engine.languages else None
    channels = {}
    first = None
    for channel, label in CHANNELS:
        reply = engine.reply(Message(text, channel=channel, lang=lang), State())
        first = first or reply
        followups = [engine.notice(reply.lang, "alerted")] if reply.escalate else []
        view = {"label": label, "kind": reply.kind}
        if channel == "telegram":
            body = fit_for("telegram", "\n\n".join([reply.text, *followups]))
            markup = tg.keyboard(reply, engine.notice(reply.lang, "more_button"))
            view["messages"] = [{"text": body}] if reply.text else []
            view["buttons"] = [[b.text for b in row] for row in markup.inline_keyboard] if markup else []
        else:
            sent = [fit_for(channel, t) for t in [reply.text, *followups] if t]
            view["messages"] = _sms_view(sent) if channel == "sms" else [{"text": t} for t in sent]
            view["total_segments"] = sum(m.get("count", 0) for m in view["messages"])
        channels[channel] = view
    assert first is not None   # CHANNELS is never empty
    topics = engine.content.topics
    ranked = [{"topic": r.topic, "title": topics[r.topic].text(first.lang)[0].title, "score": round(r.score, 3)}
              for r in engine.ranking(text, first.lang)]
    return {"text": text, "lang": first.lang, "topic": first.topic, "kind": first.kind,
            "confidence": round(first.confidence, 3), "emergency": first.emergency, "escalate": first.escalate,
            "ranked": ranked, "channels": channels}


@bp.get("/inbox/preview")
@login_required(roles=EDITORS)
def preview():
    text = request.args.get("text", "")[:1600]
    lang = request.args.get("lang") or None
    result = preview_of(text, lang) if text.strip() else None
    return render_template("preview.html", text=text, lang=lang or "", result=result,
                           languages=list(_engine().languages))


def _topic_choices():
    topics = _engine().content.topics
    return sorted(((t.id, t.texts["en"].title) for t in topics.values()), key=lambda x: x[1])


@bp.get("/inbox/unanswered")
@login_required(roles=EDITORS)
def unanswered():
    store = services().unanswered
    groups = store.groups()
    for group in groups:
        best = _engine().ranking(group["text"], group["lang"], top=1)
        group["guess"] = best[0].topic if best else ""
    return render_template("unanswered.html", groups=groups, topics=_topic_choices(),
                           editable=services().live is not None,
                           days=f'{store.ttl / 86400:g}')   # how long the list keeps a message; "30", not "30.0"


@bp.post("/inbox/unanswered/add")
@login_required(roles=EDITORS)
def add_as_example():
    live = services().live
    back = redirect(url_for("editor.unanswered"))
    phrase = " ".join(request.form.get("phrase", "").split())[:200]
    topic_id = request.form.get("topic", "")
    lang = request.form.get("lang", "en")
    members = request.form.getlist("record")
    topic = _engine().content.topics.get(topic_id)
    if live is None:
        flash("Content editing from the inbox is off on this server: add the phrase to the topic file by hand.", "error")
        return back
    if topic is None or lang not in _engine().languages or not phrase:
        flash("Choose a topic and keep some words in the phrase.", "error")
        return back

    def verify(content_copy):
        from bot.editing.live import build_checked
        try:
            build_checked(live.config_path, content_dir=content_copy)
        except ContentError as exc:
            mine = [msg for _, _, msg in exc.problems if phrase.lower() in msg.lower()] or [msg for _, _, msg in exc.problems]
            raise EditRefused("; ".join(mine[:3])) from None

    try:
        add_example(topic.path, lang, phrase, verify, live.content_dir)
    except EditRefused as exc:
        flash(f"Not added: {exc}. The file is unchanged.", "error")
        return back
    except OSError as exc:
        flash(f"Not added: the topic file could not be written ({exc.strerror}).", "error")
        return back
    services().unanswered.forget(members)
    live.maybe_reload(wait=True)
    log.info("example added topic=%s lang=%s user=%s", topic_id, lang, g.staff_user)
    flash(f"Added to {topic.path.name} [{lang}] examples, checked, and published: \"{phrase}\" now goes to "
          f"{topic.texts['en'].title}.", "ok")
    return back


@bp.get("/inbox/report")
@login_required(roles=EDITORS)
def topic_report():
    by = "week" if request.args.get("by") == "week" else "day"
    try:
        days = min(max(int(request.args.get("days", 28 if by == "day" else 84)), 7), 400)
    except ValueError:
        days = 28
    labels, counts = report.series(services().redis, days=days, by=by)
    totals = [sum(col) for col in zip(*counts.values())] if counts else [0] * len(labels)
    chart = _chart(labels, totals)
    titles = {t.id: t.texts["en"].title for t in _engine().content.topics.values()}
    rows = [{"topic": topic, "title": titles.get(topic, topic), "counts": values, "total": sum(values),
             "bars": _spark(values)} for topic, values in counts.items()]
    # Messages the bot had no answer for are counted apart: they are not "answered".
    unanswered = sum(counts.get(report.NONE, []))
    return render_template("report.html", by=by, days=days, labels=labels, rows=rows, chart=chart,
                           total=sum(totals), unanswered=unanswered)


def _chart(labels, totals, width=720, height=200):
    """Bars for messages per period, as plain numbers for an SVG (no scripts, no styles)."""
    top = max(totals or [0]) or 1
    slot = width / max(len(labels), 1)
    bars = []
    for i, (label, n) in enumerate(zip(labels, totals)):
        h = round((height - 30) * n / top, 1)
        bars.append({"x": round(i * slot + 2, 1), "y": round(height - 20 - h, 1), "w": round(max(slot - 4, 1), 1),
                     "h": h, "n": n, "label": label})
    step = max(1, len(labels) // 8)
    ticks = [{"x": round(i * slot + slot / 2, 1), "label": labels[i][5:] if len(labels[i]) == 10 else labels[i]}
             for i in range(0, len(labels), step)]
    return {"width": width, "height": height, "bars": bars, "ticks": ticks, "top": top}


def _spark(values, width=140, height=24):
    top = max(values or [0]) or 1
    slot = width / max(len(values), 1)
    return [{"x": round(i * slot, 1), "w": round(max(slot - 1, 0.5), 1), "h": round(height * v / top, 1),
             "y": round(height - height * v / top, 1)} for i, v in enumerate(values)]

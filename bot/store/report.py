"""How often each topic was asked, per day, for the editors' topic report. Counts only: no identities,
no message text. Kept KEEP_DAYS days; bot.conversation.exchange writes them with the rest of a message."""
import datetime as dt

from bot.messages import ReplyKind
from bot.store import keys

PREFIX = keys.REPORT_DAY
NONE = "(unanswered)"
KEEP_DAYS = 400


def field(topic: str | None, kind: ReplyKind, emergency: bool) -> str | None:
    """The name an answer is counted under, or None for what is not counted (silence, floods, erasure)."""
    if kind in (ReplyKind.SILENT, ReplyKind.LIMITED, ReplyKind.DELETE):
        return None
    return "(emergency)" if emergency and not topic else topic or (NONE if kind == ReplyKind.UNKNOWN else f"({kind})")


def key(when: dt.datetime | None = None) -> str:
    """The day's counts (UTC)."""
    return keys.report_day((when or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d"))


def series(redis, days: int = 28, by: str = "day", today: dt.date | None = None):
    """(period labels, {topic: [count per period]}) for the last `days` days, by day or ISO week."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    dates = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    pipe = redis.pipeline(transaction=False)
    for d in dates:
        pipe.hgetall(keys.report_day(d.isoformat()))
    per_day = pipe.execute()
    if by == "week":
        labels = []
        for d in dates:
            year, week, _ = d.isocalendar()
            label = f"{year}-W{week:02d}"
            if label not in labels:
                labels.append(label)
        slot = {d: labels.index("%d-W%02d" % d.isocalendar()[:2]) for d in dates}
    else:
        labels = [d.isoformat() for d in dates]
        slot = {d: i for i, d in enumerate(dates)}
    counts: dict[str, list[int]] = {}
    for d, data in zip(dates, per_day):
        for topic, n in (data or {}).items():
            counts.setdefault(topic, [0] * len(labels))[slot[d]] += int(n)
    return labels, dict(sorted(counts.items(), key=lambda kv: -sum(kv[1])))

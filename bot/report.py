"""How often each topic was asked, per day, for the editors' topic report. Counts only: no identities,
no message text. Kept `keep_days` days."""
import datetime as dt

PREFIX = "report:day:"
NONE = "(unanswered)"


def record(redis, topic: str | None, kind: str, emergency: bool, when: dt.datetime | None = None,
           keep_days: int = 400, pipe=None) -> None:
    """Count one answered message under its day (UTC)."""
    if kind in ("silent", "limited", "delete"):
        return
    day = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d")
    name = "(emergency)" if emergency and not topic else topic or (NONE if kind == "unknown" else f"({kind})")
    key = PREFIX + day
    own = pipe is None
    pipe = redis.pipeline(transaction=False) if own else pipe
    pipe.hincrby(key, name, 1)
    pipe.expire(key, keep_days * 86400)
    if own:
        pipe.execute()


def series(redis, days: int = 28, by: str = "day", today: dt.date | None = None):
    """(period labels, {topic: [count per period]}) for the last `days` days, by day or ISO week."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    dates = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    pipe = redis.pipeline(transaction=False)
    for d in dates:
        pipe.hgetall(PREFIX + d.isoformat())
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

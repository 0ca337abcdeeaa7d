"""Counters for /metrics, kept in the store so every worker adds to the same figures. No identities."""
import math

from bot.store import keys

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
KEY = keys.METRICS


def fields(channel: str, topic: str | None, kind: str, emergency: bool, seconds: float) -> tuple[str, str]:
    """The two counters one answer adds to (by what it was, and by how long it took); the answer's
    seconds also go to "latency_sum". bot.conversation.exchange writes them with the rest of the message's state."""
    bucket = next((b for b in BUCKETS if seconds <= b), math.inf)
    return f"messages|{channel}|{topic or 'none'}|{kind}|{str(emergency).lower()}", f"bucket|{bucket}"


def count(redis, name: str) -> None:
    """A plain event counter, e.g. rejected webhooks or duplicates."""
    redis.hincrby(KEY, f"event|{name}", 1)


def render(redis) -> str:
    """The counters in Prometheus text format."""
    data = redis.hgetall(KEY) or {}
    lines = ["# HELP bot_messages_total Messages answered, by channel, topic, kind and emergency.",
             "# TYPE bot_messages_total counter"]
    buckets, events, total, latency_sum = {}, {}, 0, 0.0
    for field, value in sorted(data.items()):
        parts = field.split("|")
        if parts[0] == "messages":
            _, channel, topic, kind, emergency = parts
            lines.append(f'bot_messages_total{{channel="{channel}",topic="{topic}",kind="{kind}",emergency="{emergency}"}} {int(value)}')
        elif parts[0] == "bucket":
            buckets[float(parts[1])] = int(value)
        elif parts[0] == "event":
            events[parts[1]] = int(value)
        elif field == "latency_sum":
            latency_sum = float(value)
    lines += ["# HELP bot_reply_seconds Time to answer a message.", "# TYPE bot_reply_seconds histogram"]
    for bound in BUCKETS:
        total += buckets.get(bound, 0)
        lines.append(f'bot_reply_seconds_bucket{{le="{bound}"}} {total}')
    total += buckets.get(math.inf, 0)
    lines += [f'bot_reply_seconds_bucket{{le="+Inf"}} {total}', f"bot_reply_seconds_sum {latency_sum}",
              f"bot_reply_seconds_count {total}",
              "# HELP bot_events_total Webhook events: rejected, duplicate, rate-limited.",
              "# TYPE bot_events_total counter"]
    lines += [f'bot_events_total{{event="{name}"}} {n}' for name, n in sorted(events.items())]
    return "\n".join(lines) + "\n"


def render_spool(waiting: int, quarantined: int) -> str:
    """This machine's spool (local disk, so not in the store): escalations waiting for the store, and
    entries that could not be delivered, kept aside for an admin."""
    return "\n".join([
        "# HELP bot_spool_waiting Escalations kept on this machine's disk while the store was down, not yet delivered.",
        "# TYPE bot_spool_waiting gauge", f"bot_spool_waiting {waiting}",
        "# HELP bot_spool_quarantined Spooled escalations that could not be delivered (see the inbox and the ERROR log).",
        "# TYPE bot_spool_quarantined gauge", f"bot_spool_quarantined {quarantined}"]) + "\n"

"""Retries answered once, and floods slowed down: both kept in the store, shared by every worker.
The commands themselves run inside bot.conversation.exchange's scripts; this says which keys and what a count means."""
from bot.store import keys


class Guard:
    def __init__(self, redis, per_minute: int, dedupe_seconds: int = 86400):
        self.redis = redis
        self.per_minute = per_minute
        self.dedupe_seconds = dedupe_seconds  # Telegram keeps undelivered updates for 24 hours

    @staticmethod
    def seen_key(channel: str, event_id: str) -> str:
        """Where a delivery id is remembered (hashed: a Twilio MessageSid is not an identity, but nothing
        from a vendor is kept in clear)."""
        return keys.seen(channel, event_id)

    @staticmethod
    def rate_key(sender: str) -> str:
        return keys.rate(sender)

    def verdict(self, count: int) -> tuple[bool, bool]:
        """(allowed, tell_them): over the limit, only the first refusal in a minute gets a reply."""
        return count <= self.per_minute, count == self.per_minute + 1

    def forget(self, sender: str) -> None:
        self.redis.delete(self.rate_key(sender))

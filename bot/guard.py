"""Retries answered once, and floods slowed down: both kept in the store, shared by every worker."""
import hashlib


class Guard:
    def __init__(self, redis, per_minute: int, dedupe_seconds: int = 86400):
        self.redis = redis
        self.per_minute = per_minute
        self.dedupe_seconds = dedupe_seconds  # Telegram keeps undelivered updates for 24 hours

    def first_time(self, channel: str, event_id: str) -> bool:
        """True the first time this delivery id is seen; False for a retry of it."""
        pipe = self.redis.pipeline(transaction=False)
        self.queue_first_time(pipe, channel, event_id)
        return bool(pipe.execute()[0])

    def queue_first_time(self, pipe, channel: str, event_id: str) -> None:
        digest = hashlib.sha256(f"{channel}:{event_id}".encode()).hexdigest()[:32]
        pipe.set(f"seen:{digest}", "1", nx=True, ex=self.dedupe_seconds)

    def allow(self, sender: str) -> tuple[bool, bool]:
        """(allowed, tell_them): over the limit, only the first refusal in a minute gets a reply."""
        pipe = self.redis.pipeline(transaction=False)
        self.queue_count(pipe, sender)
        return self.verdict(pipe.execute()[0])

    def queue_count(self, pipe, sender: str) -> None:
        key = f"rate:{sender}"
        pipe.incr(key)
        pipe.expire(key, 60, nx=True)

    def verdict(self, count: int) -> tuple[bool, bool]:
        return count <= self.per_minute, count == self.per_minute + 1

    def forget(self, sender: str) -> None:
        self.redis.delete(f"rate:{sender}")

"""Retries answered once, and floods slowed down: both kept in the store, shared by every worker."""
import hashlib


class Guard:
    def __init__(self, redis, per_minute: int, dedupe_seconds: int = 86400):
        self.redis = redis
        self.per_minute = per_minute
        self.dedupe_seconds = dedupe_seconds  # Telegram keeps undelivered updates for 24 hours

    def first_time(self, channel: str, event_id: str) -> bool:
        """True the first time this delivery id is seen; False for a retry of it."""
        digest = hashlib.sha256(f"{channel}:{event_id}".encode()).hexdigest()[:32]
        return bool(self.redis.set(f"seen:{digest}", "1", nx=True, ex=self.dedupe_seconds))

    def allow(self, sender: str) -> tuple[bool, bool]:
        """(allowed, tell_them): over the limit, only the first refusal in a minute gets a reply."""
        key = f"rate:{sender}"
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 60, nx=True)
        count = pipe.execute()[0]
        return count <= self.per_minute, count == self.per_minute + 1

    def forget(self, sender: str) -> None:
        self.redis.delete(f"rate:{sender}")

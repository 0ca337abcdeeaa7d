"""Staff sessions kept in the store, so that logging out, a new role, a new password or a removed
account ends them at once, wherever a copy of the cookie went.

The cookie carries only a random token; the store keeps its hash (so reading Redis is not enough to
take over a session) under a key that expires with the session, and the account's list of them.
"""
import hashlib
import secrets

from bot.store import keys


class StaffSessions:
    def __init__(self, redis, ttl_seconds: int = 12 * 3600):
        self.redis = redis
        self.ttl = int(ttl_seconds)

    @staticmethod
    def _key(token_hash: str) -> str:
        return keys.staff_session(token_hash)

    @staticmethod
    def _of(user: str) -> str:
        return keys.staff_sessions_of(user)

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()[:40]

    def start(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        token_hash = self._hash(token)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key(token_hash), user, ex=self.ttl)
        pipe.sadd(self._of(user), token_hash)
        pipe.expire(self._of(user), self.ttl)
        pipe.execute()
        return token

    def user(self, token) -> str | None:
        """Whose session this is, or None when it was ended or has expired."""
        if not isinstance(token, str) or not token:
            return None
        return self.redis.get(self._key(self._hash(token)))

    def end(self, token) -> None:
        if not isinstance(token, str) or not token:
            return
        token_hash = self._hash(token)
        user = self.redis.get(self._key(token_hash))
        self.redis.delete(self._key(token_hash))
        if user:
            self.redis.srem(self._of(user), token_hash)

    def end_all(self, user: str) -> int:
        """Every session of this account, on every device: after a role or password change, or removal."""
        hashes = self.redis.smembers(self._of(user))
        if hashes:
            self.redis.delete(*[self._key(h) for h in hashes])
        self.redis.delete(self._of(user))
        return len(hashes)

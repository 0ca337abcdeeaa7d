"""Staff accounts: Argon2 password hashes in the store, roles, and a lock-out on repeated failures."""
import hashlib
import json
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("staff", "editor", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not-a-real-password")


class UserError(ValueError):
    pass


class Users:
    MAX_FAILURES = 5
    LOCK_SECONDS = 15 * 60

    def __init__(self, redis):
        self.redis = redis

    def add(self, name: str, password: str, role: str = "staff") -> None:
        name = name.strip().lower()
        if not _NAME.match(name):
            raise UserError("user names are 2-32 characters: letters, digits, dot, dash, underscore")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 10:
            raise UserError("passwords must be at least 10 characters")
        self.redis.hset("users", name, json.dumps({"hash": _hasher.hash(password), "role": role}))

    def first_admin(self, name: str = "admin") -> str | None:
        """On a store with no accounts at all, make an admin and return its password (else None)."""
        if self.redis.hlen("users"):
            return None
        password = secrets.token_urlsafe(12)
        self.add(name, password, "admin")
        return password

    def remove(self, name: str) -> bool:
        return bool(self.redis.hdel("users", name.strip().lower()))

    def list(self) -> list[tuple[str, str]]:
        return sorted((n, json.loads(v)["role"]) for n, v in self.redis.hgetall("users").items())

    def role(self, name: str) -> str | None:
        raw = self.redis.hget("users", name)
        return json.loads(raw)["role"] if raw else None

    def exists(self, name: str) -> bool:
        return bool(self.redis.hexists("users", name.strip().lower()[:64]))

    @staticmethod
    def _failures_key(name: str) -> str:
        # Hashed: whatever was typed as a name (a phone number, say) is not kept in clear.
        return "login-failures:" + hashlib.sha256(name.strip().lower()[:64].encode()).hexdigest()[:24]

    def locked(self, name: str) -> bool:
        count = self.redis.get(self._failures_key(name))
        return int(count or 0) >= self.MAX_FAILURES

    def check(self, name: str, password: str) -> str | None:
        """The user's role if the password is right and the account is not locked, else None."""
        name = name.strip().lower()[:64]
        if self.locked(name):
            return None
        raw = self.redis.hget("users", name)
        try:
            ok = _hasher.verify(json.loads(raw)["hash"] if raw else _DUMMY, password) and raw is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            key = self._failures_key(name)
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.LOCK_SECONDS)
            pipe.execute()
            return None
        self.redis.delete(self._failures_key(name))
        return json.loads(raw)["role"]

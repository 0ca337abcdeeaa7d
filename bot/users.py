"""Staff accounts: Argon2 password hashes in the store, roles, and a lock-out on repeated failures."""
import json
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("staff", "editor", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_hasher = PasswordHasher()


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

    def remove(self, name: str) -> bool:
        return bool(self.redis.hdel("users", name.strip().lower()))

    def list(self) -> list[tuple[str, str]]:
        return sorted((n, json.loads(v)["role"]) for n, v in self.redis.hgetall("users").items())

    def role(self, name: str) -> str | None:
        raw = self.redis.hget("users", name)
        return json.loads(raw)["role"] if raw else None

    def locked(self, name: str) -> bool:
        count = self.redis.get(f"login-failures:{name.strip().lower()}")
        return int(count or 0) >= self.MAX_FAILURES

    def check(self, name: str, password: str) -> str | None:
        """The user's role if the password is right and the account is not locked, else None."""
        name = name.strip().lower()
        if self.locked(name):
            return None
        raw = self.redis.hget("users", name)
        stored = json.loads(raw)["hash"] if raw else None
        try:
            ok = stored is not None and _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            key = f"login-failures:{name}"
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.LOCK_SECONDS)
            pipe.execute()
            return None
        self.redis.delete(f"login-failures:{name}")
        return json.loads(raw)["role"]

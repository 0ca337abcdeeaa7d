"""Staff accounts: Argon2 password hashes in the store, roles, and throttling of wrong passwords.

Wrong passwords are throttled per (address, account): five tries, then a wait that doubles with each
further wrong one (30 s, 1 min, 2 min... at most 15 min). Someone else's guessing from elsewhere does
not lock a person out. Only when an account gets many wrong passwords from everywhere
(ACCOUNT_LIMIT within ACCOUNT_WINDOW) are addresses it has never logged in from refused for a while;
its usual addresses still work, and an admin can lift it (`python -m bot users unlock NAME`).
Each attempt is counted before the password is checked, in one Lua script, so concurrent guesses
cannot slip past the limit. Every counter is kept under a keyed hash (HMAC) of the name typed (it
might be a phone number) and of the address.
"""
import json
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.inbox.sessions import StaffSessions
from bot.privacy.identity import keyed
from bot.store import keys

ROLES = ("staff", "editor", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not-a-real-password")

# KEYS: this address and account, the account, the account's usual addresses.
# ARGV: now, address hash, free tries, first wait, longest wait, account limit, account window, pair ttl.
# Returns {1, attempt} when this attempt may check the password, {0, seconds to wait, why} when not.
_ATTEMPT = """
local now = tonumber(ARGV[1])
local wait_until = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < wait_until then return {0, math.ceil(wait_until - now), 'address'} end
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures >= tonumber(ARGV[6]) and redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0 then
  return {0, math.max(redis.call('TTL', KEYS[2]), 1), 'account'}
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
if n >= tonumber(ARGV[3]) then
  local wait = math.min(tonumber(ARGV[4]) * 2 ^ (n - tonumber(ARGV[3])), tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], 'until', string.format('%.3f', now + wait))
end
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[7], 'NX')
return {1, n, ''}
"""
# A right password: this address becomes a usual one for the account, and the attempt was no failure.
# KEYS: pair, account, usual addresses. ARGV: address hash, how long an address stays usual.
_SUCCESS = """
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
"""


class UserError(ValueError):
    pass


@dataclass
class Login:
    """What a login attempt came to: the role when the password was right, else how long to wait (0:
    the password was simply wrong)."""
    role: str | None = None
    wait: int = 0
    why: str = ""          # "address" (too many tries from here) or "account" (locked for new addresses)


class Users:
    FREE_TRIES = 5
    FIRST_WAIT = 30
    MAX_WAIT = 15 * 60
    ACCOUNT_LIMIT = 50
    ACCOUNT_WINDOW = 15 * 60
    PAIR_TTL = 24 * 3600
    KNOWN_DAYS = 90

    def __init__(self, redis, key: bytes = b"", clock=time.time):
        self.redis = redis
        self.key = key            # from BOT_SECRET_KEY: without it nothing can be throttled or unlocked
        self.clock = clock
        self.sessions = StaffSessions(redis)
        self._attempt = redis.register_script(_ATTEMPT)
        self._success = redis.register_script(_SUCCESS)

    def add(self, name: str, password: str, role: str = "staff") -> None:
        """Add an account, or give an existing one a new password and role: its sessions end."""
        name = name.strip().lower()
        if not _NAME.match(name):
            raise UserError("user names are 2-32 characters: letters, digits, dot, dash, underscore")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 10:
            raise UserError("passwords must be at least 10 characters")
        self.redis.hset(keys.USERS, name, json.dumps({"hash": _hasher.hash(password), "role": role}))
        self.sessions.end_all(name)

    def set_role(self, name: str, role: str) -> bool:
        """Change a role; the account's sessions end, so the new role holds from the next page on."""
        name = name.strip().lower()
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        raw = self.redis.hget(keys.USERS, name)
        if raw is None:
            return False
        self.redis.hset(keys.USERS, name, json.dumps({**json.loads(raw), "role": role}))
        self.sessions.end_all(name)
        return True

    def first_admin(self, name: str = "admin") -> str | None:
        """On a store with no accounts at all, make an admin and return its password (else None)."""
        if self.redis.hlen(keys.USERS):
            return None
        password = secrets.token_urlsafe(12)
        self.add(name, password, "admin")
        return password

    def remove(self, name: str) -> bool:
        name = name.strip().lower()
        removed = bool(self.redis.hdel(keys.USERS, name))
        self.sessions.end_all(name)
        return removed

    def list(self) -> list[tuple[str, str]]:
        return sorted((n, json.loads(v)["role"]) for n, v in self.redis.hgetall(keys.USERS).items())

    def role(self, name: str) -> str | None:
        raw = self.redis.hget(keys.USERS, name)
        return json.loads(raw)["role"] if raw else None

    def exists(self, name: str) -> bool:
        return bool(self.redis.hexists(keys.USERS, name.strip().lower()[:64]))

    # -- throttling ------------------------------------------------------------------------------

    def _hash(self, kind: str, value: str) -> str:
        if not self.key:
            raise UserError("BOT_SECRET_KEY is needed to find login counters (use the app's environment)")
        return keyed(self.key, f"login-{kind}:{value}", 24)

    def _keys(self, name: str, address: str) -> tuple[str, str, str, str]:
        account, where = self._hash("name", name), self._hash("address", address)
        return keys.login_pair(account, where), keys.login_account(account), keys.login_known(account), where

    def check(self, name: str, password: str, address: str = "") -> Login:
        """Check a password typed at `address` (the client's IP); refused without checking when throttled."""
        name = name.strip().lower()[:64]
        pair, account, known, where = self._keys(name, address)
        allowed, value, why = self._attempt(
            keys=[pair, account, known],
            args=[repr(self.clock()), where, self.FREE_TRIES, self.FIRST_WAIT, self.MAX_WAIT, self.ACCOUNT_LIMIT,
                  self.ACCOUNT_WINDOW, self.PAIR_TTL])
        if not allowed:
            return Login(wait=int(value), why=why if isinstance(why, str) else why.decode())
        raw = self.redis.hget(keys.USERS, name)
        try:
            ok = _hasher.verify(json.loads(raw)["hash"] if raw else _DUMMY, password) and raw is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            return Login()
        self._success(keys=[pair, account, known], args=[where, self.KNOWN_DAYS * 86400])
        return Login(role=json.loads(raw)["role"])

    def unlock(self, name: str) -> int:
        """Lift every throttle on an account (an admin's command); returns how many were lifted."""
        account = self._hash("name", name.strip().lower()[:64])
        found = [keys.login_account(account), *self.redis.scan_iter(keys.login_pair(account, "*"))]
        return self.redis.delete(*found)

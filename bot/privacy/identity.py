"""Senders are known only by a keyed hash of channel + address; the address itself is never kept."""
import hashlib
import hmac
import logging
import os
import secrets

log = logging.getLogger(__name__)
_ephemeral = secrets.token_bytes(32)


def secret_key() -> bytes:
    value = os.environ.get("BOT_SECRET_KEY", "")
    if not value:
        log.warning("BOT_SECRET_KEY is not set: using a random key for this process only; "
                    "conversations will not be recognised after a restart.")
        return _ephemeral
    return value.encode()


def sender_key(channel: str, address: str, key: bytes) -> str:
    """A stable pseudonymous id for (channel, address); irreversible without the key."""
    return hmac.new(key, f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def derive(master: bytes, purpose: str) -> bytes:
    """Separate keys for separate jobs (sender hashes, cookies, login counters), all from BOT_SECRET_KEY."""
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


def keyed(key: bytes, value: str, length: int = 32) -> str:
    """A keyed hash for a store key: irreversible without the key, even for a short value like a phone number."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]

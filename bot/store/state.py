"""Per-conversation state (language, last menu, MORE queue) kept in the store under a keyed hash."""
import json
from dataclasses import asdict, dataclass, field

from bot.store import keys


@dataclass
class State:
    lang: str | None = None
    lang_chosen: bool = False
    opted_out: bool = False
    choices: list[str] = field(default_factory=list)   # topic ids behind the numbers last offered
    suggested: bool = False                             # those choices were a "did you mean"
    more: list[str] = field(default_factory=list)       # parts still to send on MORE
    misses: int = 0                                     # unanswered messages in a row

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def loads(cls, raw) -> "State":
        try:
            data = json.loads(raw)
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (TypeError, ValueError):
            return cls()


class StateStore:
    """Conversation state in Redis (or the in-process stand-in), expiring after `ttl_seconds`."""

    PREFIX = keys.STATE

    def __init__(self, redis, ttl_seconds: int):
        self.redis = redis
        self.ttl = int(ttl_seconds)


    def delete(self, sender_key: str) -> None:
        self.redis.delete(keys.state(sender_key))

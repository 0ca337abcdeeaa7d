"""Escalated conversations for staff, kept in the store with no identities.

Each conversation has a random pseudonym, the texter's channel, the sender hash (to join later
messages), a transcript with identifying details scrubbed, and the address sealed under its own key.
Everything expires `retention` seconds after the last activity; DELETE from the texter erases it at once.
"""
import json
import secrets
import time

from bot.pseudonym import new_pseudonym
from bot.scrub import scrub

# Lower is more urgent. Emergencies and crises share the top.
PRIORITY = {"emergency": 0, "crisis": 0, "staff": 1, "misses": 2}
OPEN, CLAIMED, CLOSED = "open", "claimed", "closed"


class Inbox:
    QUEUE = "inbox:queue"

    def __init__(self, redis, sealer, retention_seconds: int, clock=time.time):
        self.redis = redis
        self.sealer = sealer
        self.ttl = int(retention_seconds)
        self.clock = clock
        self._note_once = redis.register_script(self._NOTE_ONCE)

    @staticmethod
    def sender_key(sender: str) -> str:
        """Where a texter's open conversation is found (by sender hash, never by address)."""
        return f"inbox:sender:{sender}"

    # -- from the texter's side ----------------------------------------------------------------

    def open_for(self, sender: str) -> str | None:
        conv_id = self.redis.get(self.sender_key(sender))
        if conv_id and self.redis.exists(f"inbox:conv:{conv_id}"):
            return conv_id
        return None

    def escalate(self, sender: str, channel: str, address: str, reason: str, lang: str) -> tuple[dict, bool]:
        """Open a conversation for this sender, or raise the priority of their open one.

        Returns (conversation, is_news): is_news is True when staff should be alerted again."""
        now = self.clock()
        priority = PRIORITY[reason]
        conv_id = self.open_for(sender)
        if conv_id:
            conv = self.get(conv_id)
            raised = priority < int(conv["priority"])
            if raised or conv["status"] == CLOSED:
                update = {"priority": min(priority, int(conv["priority"])), "reason": reason if raised else conv["reason"],
                          "status": OPEN, "updated": now}
                self.redis.hset(f"inbox:conv:{conv_id}", mapping=update)
                conv.update({k: str(v) for k, v in update.items()})
                self._queue(conv_id, int(conv["priority"]), float(conv["created"]))
            self._seal_address(conv_id, address)
            self._touch(conv_id, sender)
            return conv, raised
        conv_id = secrets.token_urlsafe(9)
        conv = {"id": conv_id, "pseudonym": new_pseudonym(), "channel": channel, "sender": sender,
                "priority": priority, "reason": reason, "status": OPEN, "claimed_by": "", "lang": lang,
                "created": now, "updated": now}
        # All or nothing (MULTI/EXEC): a store failing half-way must not leave a conversation that
        # the texter's next message (or the spool) cannot find and so opens a second time.
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(f"inbox:conv:{conv_id}", mapping=conv)
        pipe.expire(f"inbox:conv:{conv_id}", self.ttl)
        pipe.set(f"inbox:addr:{conv_id}", self.sealer.seal(address, conv_id), ex=self.ttl)
        pipe.zadd(self.QUEUE, {conv_id: priority * 1e11 + now})
        pipe.set(self.sender_key(sender), conv_id, ex=self.ttl)
        pipe.execute()
        return {k: str(v) for k, v in conv.items()}, True

    def note(self, conv_id: str, who: str, text: str) -> None:
        """Add a line to the transcript: the texter's words are scrubbed before they are stored."""
        if not text:
            return
        entry = {"at": self.clock(), "who": who, "text": scrub(text) if who == "texter" else text}
        key = f"inbox:msgs:{conv_id}"
        pipe = self.redis.pipeline()
        pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(key, -500, -1)
        pipe.expire(key, self.ttl)
        pipe.hset(f"inbox:conv:{conv_id}", "updated", entry["at"])
        pipe.execute()
        sender = self.redis.hget(f"inbox:conv:{conv_id}", "sender")
        if sender:
            self._touch(conv_id, sender)

    _NOTE_ONCE = """
    -- KEYS: once marker (by hashed delivery id: no link to the texter, so DELETE need not find it), transcript, conversation. ARGV: marker ttl, transcript ttl, time, entries...
    if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
    for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
    redis.call('LTRIM', KEYS[2], -500, -1)
    redis.call('EXPIRE', KEYS[2], ARGV[2])
    redis.call('HSET', KEYS[3], 'updated', ARGV[3])
    return 1
    """

    def note_once(self, conv_id: str, once: str, lines: list[tuple[str, str]], once_ttl: int) -> bool:
        """Add transcript lines for one delivery, once: a retry of a delivery whose first attempt died
        after writing them (before its reply was kept) adds nothing again. False when already there."""
        now = self.clock()
        entries = [json.dumps({"at": now, "who": who, "text": scrub(text) if who == "texter" else text},
                              ensure_ascii=False) for who, text in lines if text]
        added = self._note_once(keys=["noted:" + once, f"inbox:msgs:{conv_id}", f"inbox:conv:{conv_id}"],
                       args=[once_ttl, self.ttl, now, *entries])
        sender = self.redis.hget(f"inbox:conv:{conv_id}", "sender")
        if sender:
            self._touch(conv_id, sender)
        return bool(added)

    def erase_sender(self, sender: str) -> None:
        conv_id = self.redis.get(self.sender_key(sender))
        if conv_id:
            self.redis.delete(f"inbox:conv:{conv_id}", f"inbox:msgs:{conv_id}", f"inbox:addr:{conv_id}")
            self.redis.zrem(self.QUEUE, conv_id)
        self.redis.delete(self.sender_key(sender))

    # -- from the staff side -------------------------------------------------------------------

    def get(self, conv_id: str) -> dict | None:
        conv = self.redis.hgetall(f"inbox:conv:{conv_id}")
        return conv or None

    def messages(self, conv_id: str) -> list[dict]:
        return [json.loads(m) for m in self.redis.lrange(f"inbox:msgs:{conv_id}", 0, -1)]

    def listing(self, include_closed: bool = False) -> list[dict]:
        """Conversations by priority, then oldest first; expired ones are dropped from the queue."""
        out = []
        for conv_id in self.redis.zrange(self.QUEUE, 0, -1):
            conv = self.get(conv_id)
            if conv is None:
                self.redis.zrem(self.QUEUE, conv_id)
                continue
            if conv["status"] != CLOSED or include_closed:
                out.append(conv)
        return out

    def claim(self, conv_id: str, staff: str) -> bool:
        if not self.get(conv_id):
            return False
        self.redis.hset(f"inbox:conv:{conv_id}", mapping={"status": CLAIMED, "claimed_by": staff})
        return True

    def close(self, conv_id: str, staff: str) -> bool:
        if not self.get(conv_id):
            return False
        self.redis.hset(f"inbox:conv:{conv_id}", mapping={"status": CLOSED, "claimed_by": staff})
        self.redis.zrem(self.QUEUE, conv_id)
        return True

    def address(self, conv_id: str) -> tuple[str, str] | None:
        """(channel, address) to reply to, or None once the conversation has expired."""
        conv = self.get(conv_id)
        sealed = self.redis.get(f"inbox:addr:{conv_id}")
        if not conv or not sealed:
            return None
        return conv["channel"], self.sealer.open(sealed, conv_id)

    # -- keeping it all on one clock -------------------------------------------------------------

    def _seal_address(self, conv_id: str, address: str) -> None:
        self.redis.set(f"inbox:addr:{conv_id}", self.sealer.seal(address, conv_id), ex=self.ttl)

    def _queue(self, conv_id: str, priority: int, created: float) -> None:
        self.redis.zadd(self.QUEUE, {conv_id: priority * 1e11 + created})

    def _touch(self, conv_id: str, sender: str) -> None:
        """Everything about a conversation expires together, `retention` after the last activity."""
        pipe = self.redis.pipeline()
        for key in (f"inbox:conv:{conv_id}", f"inbox:msgs:{conv_id}", f"inbox:addr:{conv_id}"):
            pipe.expire(key, self.ttl)
        pipe.set(self.sender_key(sender), conv_id, ex=self.ttl)
        pipe.execute()

"""Escalated conversations for staff, kept in the store with no identities.

Each conversation has a random pseudonym, the texter's channel, the sender hash (to join later
messages), a transcript with identifying details scrubbed, and the address sealed under its own key.
Everything expires `retention` seconds after the texter's last message (staff activity does not keep
it alive); DELETE from the texter erases it at once.
"""
import json
import secrets
import time

from cryptography.exceptions import InvalidTag

from bot.privacy.pseudonym import new_pseudonym
from bot.privacy.scrub import scrub as default_scrub

# One transcript line, appended only while the conversation still exists: a staff reply racing the
# texter's DELETE (or the expiry) must not bring back keys that nothing would ever expire.
# KEYS: conversation hash, transcript list. ARGV: entry JSON, time, ttl ('' keeps the expiry as it is).
_NOTE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], -500, -1)
redis.call('HSET', KEYS[1], 'updated', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'texter_at', ARGV[2])   -- the texter's last message: WhatsApp's window
  redis.call('EXPIRE', KEYS[2], ARGV[3])
elseif redis.call('TTL', KEYS[2]) < 0 then
  redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[1]), 1))
end
return 1
"""
# Claim and close change a conversation only while it exists, for the same reason.
_UPDATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

# Lower is more urgent. Emergencies and crises share the top.
PRIORITY = {"emergency": 0, "crisis": 0, "staff": 1, "misses": 2}
OPEN, CLAIMED, CLOSED = "open", "claimed", "closed"
# WhatsApp allows a free-form reply only this long after the texter's last message; after it only an
# approved template (Twilio refuses anything else with error 63016).
WHATSAPP_WINDOW_SECONDS = 24 * 3600


def reply_window_closes(conv: dict) -> float | None:
    """When a free reply stops being possible (epoch seconds), or None on channels without a window."""
    if conv.get("channel") != "whatsapp":
        return None
    return float(conv.get("texter_at") or conv["created"]) + WHATSAPP_WINDOW_SECONDS


class Inbox:
    QUEUE = "inbox:queue"

    class Unopenable(Exception):
        """The sealed address is there but does not open (BOT_ADDRESS_KEY changed, or it was damaged)."""

    def __init__(self, redis, sealer, retention_seconds: int, clock=time.time, scrub=default_scrub):
        self.redis = redis
        self.sealer = sealer
        self.ttl = int(retention_seconds)
        self.clock = clock
        self.scrub = scrub
        self._note = redis.register_script(_NOTE)
        self._update = redis.register_script(_UPDATE)
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
            assert conv is not None   # open_for has just seen it exist
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

    def note(self, conv_id: str, who: str, text: str) -> bool:
        """Add a line to the transcript; False when the conversation is gone (expired, or erased by DELETE).

        The texter's words and staff replies are scrubbed before they are stored (a staff reply is sent
        as written). Only the texter's own messages renew the conversation's expiry: retention runs
        from their last message, whatever staff or the bot do."""
        if not text:
            return True
        if who == "texter":
            text = self.scrub(text)
        elif who.startswith("staff"):
            text = self.scrub(text, staff=True)
        entry = {"at": self.clock(), "who": who, "text": text}
        kept = bool(self._note(keys=[f"inbox:conv:{conv_id}", f"inbox:msgs:{conv_id}"],
                               args=[json.dumps(entry, ensure_ascii=False), entry["at"], self.ttl if who == "texter" else ""]))
        if kept and who == "texter":
            sender = self.redis.hget(f"inbox:conv:{conv_id}", "sender")
            if sender:
                self._touch(conv_id, sender)
        return kept

    _NOTE_ONCE = """
    -- KEYS: once marker (by hashed delivery id: no link to the texter, so DELETE need not find it), transcript, conversation.
    -- ARGV: marker ttl, transcript ttl, time, '1' when the texter wrote (WhatsApp's window), entries...
    -- Nothing is written to a conversation that is gone (erased by DELETE, or expired).
    if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
    if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
    for i = 5, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
    redis.call('LTRIM', KEYS[2], -500, -1)
    redis.call('EXPIRE', KEYS[2], ARGV[2])
    redis.call('HSET', KEYS[3], 'updated', ARGV[3])
    if ARGV[4] == '1' then redis.call('HSET', KEYS[3], 'texter_at', ARGV[3]) end
    return 1
    """

    def note_once(self, conv_id: str, once: str, lines: list[tuple[str, str]], once_ttl: int) -> bool:
        """Add transcript lines for one delivery, once: a retry of a delivery whose first attempt died
        after writing them (before its reply was kept) adds nothing again. False when already there."""
        now = self.clock()
        entries = [json.dumps({"at": now, "who": who, "text": self.scrub(text) if who == "texter" else text},
                              ensure_ascii=False) for who, text in lines if text]
        texter = "1" if any(who == "texter" for who, _ in lines) else "0"
        added = self._note_once(keys=["noted:" + once, f"inbox:msgs:{conv_id}", f"inbox:conv:{conv_id}"],
                                args=[once_ttl, self.ttl, now, texter, *entries])
        if added and texter == "1":
            # Retention runs from the texter's last message, whatever staff do.
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
        return bool(self._update(keys=[f"inbox:conv:{conv_id}"], args=["status", CLAIMED, "claimed_by", staff]))

    def close(self, conv_id: str, staff: str) -> bool:
        if not self._update(keys=[f"inbox:conv:{conv_id}"], args=["status", CLOSED, "claimed_by", staff]):
            return False
        self.redis.zrem(self.QUEUE, conv_id)
        return True

    def address(self, conv_id: str) -> tuple[str, str] | None:
        """(channel, address) to reply to, or None once the conversation has expired.

        Raises Inbox.Unopenable when the sealed address is there but will not open."""
        conv = self.get(conv_id)
        sealed = self.redis.get(f"inbox:addr:{conv_id}")
        if not conv or not sealed:
            return None
        try:
            return conv["channel"], self.sealer.open(sealed, conv_id)
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise self.Unopenable(conv_id) from None

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

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
from bot.store import keys

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
# A texter's message reaching staff, in one round trip: find their open conversation (by the pointer
# under their sender hash), open or raise it for an escalation, add this delivery's lines once, and
# renew everything's expiry. The caller seals the address for the conversation it expects (the one its
# earlier read found) and for a new one; if another request opened a different one meanwhile, the
# script changes nothing and names it ({-1, id}), and the caller seals for that one and asks again.
# KEYS: the sender's conversation pointer, the queue, the once marker ('' for none).
# ARGV: 1-3 conversation, transcript and address prefixes; 4 priority ('' only notes, no escalation),
#       5 reason, 6 channel, 7 lang, 8 pseudonym for a new one, 9 expected id ('' none), 10 address
#       sealed for it, 11 new id, 12 address sealed for that, 13 now, 14 ttl, 15 marker ttl,
#       16 '1' when the texter wrote (WhatsApp's window), 17 sender, 18... transcript entries.
# Returns {0} (no conversation), {-1, id} (sealed for the wrong one) or {1, news, conversation fields}.
_TEXTER_WROTE = """
local conv_id = redis.call('GET', KEYS[1])
if conv_id and redis.call('EXISTS', ARGV[1] .. conv_id) == 0 then conv_id = false end
local news, escalated = 0, ARGV[4] ~= ''
if escalated then
  local priority = tonumber(ARGV[4])
  if conv_id and conv_id ~= ARGV[9] then return {-1, conv_id} end
  if conv_id then
    local conv = ARGV[1] .. conv_id
    local current = tonumber(redis.call('HGET', conv, 'priority'))
    local raised = priority < current
    if raised or redis.call('HGET', conv, 'status') == 'closed' then
      local top = math.min(priority, current)
      redis.call('HSET', conv, 'priority', top, 'status', 'open', 'updated', ARGV[13])
      if raised then redis.call('HSET', conv, 'reason', ARGV[5]) end
      local created = tonumber(redis.call('HGET', conv, 'created'))
      redis.call('ZADD', KEYS[2], string.format('%.17g', top * 1e11 + created), conv_id)
    end
    if raised then news = 1 end
    redis.call('SET', ARGV[3] .. conv_id, ARGV[10], 'EX', ARGV[14])
  else
    conv_id = ARGV[11]
    local conv = ARGV[1] .. conv_id
    redis.call('HSET', conv, 'id', conv_id, 'pseudonym', ARGV[8], 'channel', ARGV[6], 'sender', ARGV[17],
               'priority', ARGV[4], 'reason', ARGV[5], 'status', 'open', 'claimed_by', '', 'lang', ARGV[7],
               'created', ARGV[13], 'updated', ARGV[13])
    redis.call('EXPIRE', conv, ARGV[14])
    redis.call('SET', ARGV[3] .. conv_id, ARGV[12], 'EX', ARGV[14])
    redis.call('ZADD', KEYS[2], string.format('%.17g', priority * 1e11 + tonumber(ARGV[13])), conv_id)
    news = 1
  end
end
if not conv_id then return {0} end
local noted = false
if KEYS[3] ~= '' and #ARGV >= 18 and redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[15]) then
  local msgs = ARGV[2] .. conv_id
  for i = 18, #ARGV do redis.call('RPUSH', msgs, ARGV[i]) end
  redis.call('LTRIM', msgs, -500, -1)
  redis.call('EXPIRE', msgs, ARGV[14])
  redis.call('HSET', ARGV[1] .. conv_id, 'updated', ARGV[13])
  if ARGV[16] == '1' then redis.call('HSET', ARGV[1] .. conv_id, 'texter_at', ARGV[13]) end
  noted = true
end
-- Retention runs from the texter's last message: everything about the conversation expires together.
if escalated or (noted and ARGV[16] == '1') then
  for i = 1, 3 do redis.call('EXPIRE', ARGV[i] .. conv_id, ARGV[14]) end
  redis.call('SET', KEYS[1], conv_id, 'EX', ARGV[14])
end
return {1, news, redis.call('HGETALL', ARGV[1] .. conv_id)}
"""
# DELETE from the texter: their conversation, transcript, sealed address and pointer go at once.
# KEYS: the sender's conversation pointer, the queue. ARGV: conversation, transcript and address prefixes.
ERASE = """
local conv_id = redis.call('GET', KEYS[1])
if conv_id then
  redis.call('DEL', ARGV[1] .. conv_id, ARGV[2] .. conv_id, ARGV[3] .. conv_id)
  redis.call('ZREM', KEYS[2], conv_id)
end
redis.call('DEL', KEYS[1])
return 1
"""
PREFIXES = [keys.INBOX_CONV, keys.INBOX_MSGS, keys.INBOX_ADDR]
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
    QUEUE = keys.INBOX_QUEUE

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
        self._texter_wrote = redis.register_script(_TEXTER_WROTE)
        self._erase = redis.register_script(ERASE)

    @staticmethod
    def sender_key(sender: str) -> str:
        """Where a texter's open conversation is found (by sender hash, never by address)."""
        return keys.inbox_sender(sender)

    # -- from the texter's side ----------------------------------------------------------------

    def escalate(self, sender: str, channel: str, address: str, reason: str, lang: str) -> tuple[dict, bool]:
        """Open a conversation for this sender, or raise the priority of their open one.

        Returns (conversation, is_news): is_news is True when staff should be alerted again."""
        conv, news = self.texter_wrote(sender, "", [], 0, escalation=(channel, address, reason, lang))
        assert conv is not None   # an escalation always opens or finds a conversation
        return conv, news

    def texter_wrote(self, sender: str, once: str, lines: list[tuple[str, str]], once_ttl: int,
                     escalation: tuple[str, str, str, str] | None = None, expected: str | None = None
                     ) -> tuple[dict | None, bool]:
        """A texter's message reaching staff, in one round trip: with `escalation` (channel, address,
        reason, lang) their conversation is opened, or raised (or reopened) if it is open; then the
        delivery's `lines` join its transcript once (`once`: the delivery's seen key), and its expiry
        runs from now. Without an escalation, only an open conversation is written to.

        `expected` is the conversation id the caller last saw for this sender (the address is sealed
        for it ahead). Returns (conversation or None, is_news)."""
        now = self.clock()
        entries = [json.dumps({"at": now, "who": who, "text": self.scrub(text) if who == "texter" else text},
                              ensure_ascii=False) for who, text in lines if text]
        texter = "1" if any(who == "texter" for who, _ in lines) else "0"
        for _ in range(3):
            if escalation:
                channel, address, reason, lang = escalation
                new_id = secrets.token_urlsafe(9)
                asked = [PRIORITY[reason], reason, channel, lang, new_pseudonym(), expected or "",
                         self.sealer.seal(address, expected) if expected else "", new_id, self.sealer.seal(address, new_id)]
            else:
                asked = [""] * 9
            found = self._texter_wrote(keys=[keys.inbox_sender(sender), self.QUEUE, keys.noted(once) if once else ""],
                                       args=[*PREFIXES, *asked, repr(now), self.ttl, once_ttl or 1, texter, sender, *entries])
            if found[0] != -1:
                break
            expected = found[1]    # another request opened one meanwhile: seal for that one
        else:
            raise RuntimeError("the texter's conversation kept changing while escalating")
        if found[0] == 0:
            return None, False
        fields = found[2]
        return dict(zip(fields[::2], fields[1::2])), bool(found[1])

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
        kept = bool(self._note(keys=[keys.inbox_conv(conv_id), keys.inbox_msgs(conv_id)],
                               args=[json.dumps(entry, ensure_ascii=False), entry["at"], self.ttl if who == "texter" else ""]))
        if kept and who == "texter":
            sender = self.redis.hget(keys.inbox_conv(conv_id), "sender")
            if sender:
                self._touch(conv_id, sender)
        return kept

    def erase_sender(self, sender: str) -> None:
        self._erase(keys=[self.sender_key(sender), self.QUEUE], args=PREFIXES)

    # -- from the staff side -------------------------------------------------------------------

    def get(self, conv_id: str) -> dict | None:
        conv = self.redis.hgetall(keys.inbox_conv(conv_id))
        return conv or None

    def messages(self, conv_id: str) -> list[dict]:
        return [json.loads(m) for m in self.redis.lrange(keys.inbox_msgs(conv_id), 0, -1)]

    def listing(self, include_closed: bool = False) -> list[dict]:
        """Conversations by priority, then oldest first; expired ones are dropped from the queue."""
        ids = self.redis.zrange(self.QUEUE, 0, -1)
        if not ids:
            return []
        # One round trip for all of them, however long the queue.
        pipe = self.redis.pipeline(transaction=False)
        for conv_id in ids:
            pipe.hgetall(keys.inbox_conv(conv_id))
        out, gone = [], []
        for conv_id, conv in zip(ids, pipe.execute()):
            if not conv:
                gone.append(conv_id)
            elif conv["status"] != CLOSED or include_closed:
                out.append(conv)
        if gone:
            self.redis.zrem(self.QUEUE, *gone)
        return out

    def claim(self, conv_id: str, staff: str) -> bool:
        return bool(self._update(keys=[keys.inbox_conv(conv_id)], args=["status", CLAIMED, "claimed_by", staff]))

    def close(self, conv_id: str, staff: str) -> bool:
        if not self._update(keys=[keys.inbox_conv(conv_id)], args=["status", CLOSED, "claimed_by", staff]):
            return False
        self.redis.zrem(self.QUEUE, conv_id)
        return True

    def address(self, conv_id: str) -> tuple[str, str] | None:
        """(channel, address) to reply to, or None once the conversation has expired.

        Raises Inbox.Unopenable when the sealed address is there but will not open."""
        conv = self.get(conv_id)
        sealed = self.redis.get(keys.inbox_addr(conv_id))
        if not conv or not sealed:
            return None
        try:
            return conv["channel"], self.sealer.open(sealed, conv_id)
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise self.Unopenable(conv_id) from None

    # -- keeping it all on one clock -------------------------------------------------------------

    def _touch(self, conv_id: str, sender: str) -> None:
        """Everything about a conversation expires together, `retention` after the last activity."""
        pipe = self.redis.pipeline()
        for key in (keys.inbox_conv(conv_id), keys.inbox_msgs(conv_id), keys.inbox_addr(conv_id)):
            pipe.expire(key, self.ttl)
        pipe.set(self.sender_key(sender), conv_id, ex=self.ttl)
        pipe.execute()

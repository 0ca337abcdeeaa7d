"""What people asked that the bot could not answer, kept for editors: scrubbed, counted, expiring.

Each distinct (scrubbed, normalised) message is one record with a count, the language and the day it
was first and last seen. Records expire `retention` after they were last seen. Listing groups similar
records (rapidfuzz) so editors see "12 x how do i use a pipe" once.

Which records a texter added to is kept under their sender hash (`unanswered-by:<hash>`, expiring
with the records), so that DELETE can take their asks back out; records themselves name no one.
"""
import hashlib
import time

from rapidfuzz import fuzz

from bot.privacy.scrub import scrub as default_scrub
from bot.store import keys
from bot.text.normalise import normalise

INDEX = keys.UNANSWERED_INDEX    # zset: record id -> last seen
MAX_TEXT = 300
MAX_RECORDS = 5000               # the oldest are dropped beyond this

# KEYS: record, index, the sender's contributions ('' for none).
# ARGV: record id, text, lang, day, now, ttl, most records kept, the records' key prefix.
# (bot.conversation.exchange runs it inside its after-answer script: one round trip for both.)
RECORD = """
redis.call('HSETNX', KEYS[1], 'text', ARGV[2])
redis.call('HSETNX', KEYS[1], 'lang', ARGV[3])
redis.call('HSETNX', KEYS[1], 'first', ARGV[4])
redis.call('HSET', KEYS[1], 'last', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
if KEYS[3] ~= '' then
  redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
-- What falls out of the index (too old, or beyond the cap) is deleted, not just forgotten.
local dropped = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[5]) - tonumber(ARGV[6]))
local excess = redis.call('ZCARD', KEYS[2]) - #dropped - tonumber(ARGV[7])
if excess > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], #dropped, #dropped + excess - 1)) do table.insert(dropped, id) end
end
for _, id in ipairs(dropped) do
  redis.call('DEL', ARGV[8] .. id)
  redis.call('ZREM', KEYS[2], id)
end
return #dropped
"""
# DELETE: take one texter's asks back out of the counts; a record only they made goes entirely.
# KEYS: the sender's contributions, index. ARGV: the records' key prefix.
ERASE = """
local mine = redis.call('HGETALL', KEYS[1])
for i = 1, #mine, 2 do
  local key = ARGV[1] .. mine[i]
  if redis.call('EXISTS', key) == 1 and redis.call('HINCRBY', key, 'count', -tonumber(mine[i + 1])) <= 0 then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[2], mine[i])
  end
end
redis.call('DEL', KEYS[1])
return #mine / 2
"""


class Unanswered:
    def __init__(self, redis, retention_seconds: int, clock=time.time, scrub=default_scrub, max_records=MAX_RECORDS):
        self.redis = redis
        self.max_records = max_records
        self.ttl = int(retention_seconds)
        self.clock = clock
        self.scrub = scrub
        self._record = redis.register_script(RECORD)
        self._erase = redis.register_script(ERASE)

    @staticmethod
    def sender_key(sender: str) -> str:
        return keys.unanswered_by(sender)

    def record(self, text: str, lang: str, sender: str = "") -> None:
        found = self.record_call(text, lang, sender)
        if found is not None:
            self._record(keys=found[0], args=found[1])

    def record_call(self, text: str, lang: str, sender: str = "") -> tuple[list, list] | None:
        """The RECORD script's (keys, args) for one unanswered message, or None when nothing is left to
        keep once it is scrubbed; for running it inside another script's round trip."""
        clean = self.scrub(" ".join((text or "").split())[:MAX_TEXT])
        norm = normalise(clean)
        if not norm.strip():
            return None
        record_id = hashlib.sha256(f"{lang}|{norm}".encode()).hexdigest()[:20]
        now = self.clock()
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        return ([keys.unanswered(record_id), INDEX, self.sender_key(sender) if sender else ""],
                [record_id, clean, lang, day, now, self.ttl, self.max_records, keys.UNANSWERED])

    def erase_sender(self, sender: str) -> None:
        """DELETE: what this texter asked is no longer counted, and no longer kept if only they asked it."""
        self._erase(keys=[self.sender_key(sender), INDEX], args=[keys.UNANSWERED])

    def records(self) -> list[dict]:
        out = []
        for record_id in self.redis.zrevrange(INDEX, 0, -1):
            data = self.redis.hgetall(keys.unanswered(record_id))
            if not data:
                self.redis.zrem(INDEX, record_id)
                continue
            out.append({"id": record_id, "text": data["text"], "lang": data.get("lang", "en"),
                        "count": int(data.get("count", 1)), "first": data.get("first", ""), "last": data.get("last", "")})
        return out

    def groups(self, threshold: float = 80.0) -> list[dict]:
        """Similar messages together, biggest group first; each keeps its members for the editor."""
        groups: list[dict] = []
        for rec in sorted(self.records(), key=lambda r: -r["count"]):
            norm = normalise(rec["text"])
            for group in groups:
                if group["lang"] == rec["lang"] and fuzz.token_set_ratio(norm, group["norm"]) >= threshold:
                    group["members"].append(rec)
                    group["count"] += rec["count"]
                    group["last"] = max(group["last"], rec["last"])
                    break
            else:
                groups.append({"norm": norm, "text": rec["text"], "lang": rec["lang"], "count": rec["count"],
                               "last": rec["last"], "members": [rec]})
        groups.sort(key=lambda g: (-g["count"], g["text"]))
        return groups

    def forget(self, record_ids) -> None:
        """Drop records an editor has dealt with (e.g. turned into an example phrase)."""
        ids = [r for r in record_ids if r]
        if ids:
            self.redis.delete(*[keys.unanswered(r) for r in ids])
            self.redis.zrem(INDEX, *ids)

    def get(self, record_id: str) -> dict | None:
        data = self.redis.hgetall(keys.unanswered(record_id))
        return {"id": record_id, **data} if data else None

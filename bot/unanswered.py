"""What people asked that the bot could not answer, kept for editors: scrubbed, counted, expiring.

Each distinct (scrubbed, normalised) message is one record with a count, the language and the day it
was first and last seen; nothing about who sent it. Records expire `retention` after they were last
seen. Listing groups similar records (rapidfuzz) so editors see "12 x how do i use a pipe" once.
"""
import hashlib
import time

from rapidfuzz import fuzz

from bot.normalise import normalise
from bot.scrub import scrub

INDEX = "unanswered:index"       # zset: record id -> last seen
MAX_TEXT = 300
MAX_RECORDS = 5000               # the oldest are dropped beyond this


class Unanswered:
    def __init__(self, redis, retention_seconds: int, clock=time.time):
        self.redis = redis
        self.ttl = int(retention_seconds)
        self.clock = clock

    def record(self, text: str, lang: str) -> None:
        clean = scrub(" ".join((text or "").split())[:MAX_TEXT])
        norm = normalise(clean)
        if not norm.strip():
            return
        record_id = hashlib.sha256(f"{lang}|{norm}".encode()).hexdigest()[:20]
        key = f"unanswered:{record_id}"
        now = self.clock()
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        pipe = self.redis.pipeline()
        pipe.hsetnx(key, "text", clean)
        pipe.hsetnx(key, "lang", lang)
        pipe.hsetnx(key, "first", day)
        pipe.hset(key, "last", day)
        pipe.hincrby(key, "count", 1)
        pipe.expire(key, self.ttl)
        pipe.zadd(INDEX, {record_id: now})
        pipe.zremrangebyscore(INDEX, "-inf", now - self.ttl)
        pipe.zremrangebyrank(INDEX, 0, -MAX_RECORDS - 1)
        pipe.execute()

    def records(self) -> list[dict]:
        out = []
        for record_id in self.redis.zrevrange(INDEX, 0, -1):
            data = self.redis.hgetall(f"unanswered:{record_id}")
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
            self.redis.delete(*[f"unanswered:{r}" for r in ids])
            self.redis.zrem(INDEX, *ids)

    def get(self, record_id: str) -> dict | None:
        data = self.redis.hgetall(f"unanswered:{record_id}")
        return {"id": record_id, **data} if data else None

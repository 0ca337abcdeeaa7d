"""Staff replies to a texter on the web page wait here until the page fetches them.

Kept under the sender's keyed hash (never the browser token itself), for as long as an inbox
conversation lives; the page asks for what it has not shown yet, so a lost poll loses nothing.
"""
import json
import time

from bot.store import keys

MAX_KEPT = 200


class WebMailbox:
    PREFIX = keys.WEB_MAIL

    def __init__(self, redis, retention_seconds: int):
        self.redis = redis
        self.ttl = int(retention_seconds)

    def deliver(self, sender: str, who: str, text: str) -> None:
        key = keys.web_mail(sender)
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(key, json.dumps({"at": time.time(), "who": who, "text": text}, ensure_ascii=False))
        pipe.ltrim(key, -MAX_KEPT, -1)
        pipe.expire(key, self.ttl)
        pipe.execute()

    def since(self, sender: str, seen: int) -> tuple[list[dict], int]:
        """(messages after the first `seen`, how many there are in all)."""
        raw = self.redis.lrange(keys.web_mail(sender), 0, -1)
        seen = min(max(seen, 0), len(raw))
        return [json.loads(m) for m in raw[seen:]], len(raw)

    def forget(self, sender: str) -> None:
        self.redis.delete(keys.web_mail(sender))

"""One Redis interface: a real server when REDIS_URL is set, an in-process stand-in otherwise."""
import logging
import os

log = logging.getLogger(__name__)


def connect(url: str | None = None, quiet: bool = False):
    url = url if url is not None else os.environ.get("REDIS_URL", "")
    if url:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        # One immediate retry (a pooled connection gone stale after a Redis restart), never a
        # backoff: with Redis down, a texter must get their answer now, not after seconds of waiting.
        return redis.Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2,
                                    retry=Retry(NoBackoff(), 1), health_check_interval=30)
    import fakeredis
    if not quiet:   # `chat` is in-process by design: nothing to warn about
        log.warning("REDIS_URL is not set: using an in-process store. State is NOT persistent and is "
                    "lost on restart; set REDIS_URL for a real deployment.")
    return fakeredis.FakeRedis(decode_responses=True)

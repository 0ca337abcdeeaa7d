"""One Redis interface: a real server when REDIS_URL is set, an in-process stand-in otherwise."""
import logging
import os

log = logging.getLogger(__name__)
SOCKET_TIMEOUT = 2.0      # seconds a command may take before the request answers without the store
CONNECT_TIMEOUT = 1.0     # Redis is on the same host or network: a connect takes milliseconds


def connect(url: str | None = None):
    url = url if url is not None else os.environ.get("REDIS_URL", "")
    if url:
        import redis
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError
        from redis.retry import Retry
        # Against Twilio's 15-second webhook budget: a request makes at most one slow store call
        # (SOCKET_TIMEOUT) before it answers without the store, plus at most a lease's wait
        # (bot.exchange.LEASE_MS, 5 s, plus 1 s) when it is a retry of a delivery still claimed: about
        # 2 + 6 + 2 = 10 s at worst.
        # One immediate retry on a broken connection only (a pooled connection gone stale after a Redis
        # restart), never on a timeout: a command that timed out may still run when Redis wakes, so
        # sending it again would run it twice. The scripts are safe to run twice anyway (bot.exchange).
        return redis.Redis.from_url(url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT,
                                    socket_connect_timeout=CONNECT_TIMEOUT,
                                    retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)),
                                    health_check_interval=30)
    import fakeredis
    log.warning("REDIS_URL is not set: using an in-process store. State is NOT persistent and is "
                "lost on restart; set REDIS_URL for a real deployment.")
    return fakeredis.FakeRedis(decode_responses=True)

"""One Redis interface: a real server when REDIS_URL is set, an in-process stand-in otherwise.

REDIS_URL forms operators meet:
  redis://[:password@]host:6379/0              plain
  rediss://[:password@]host:6380/0             TLS (managed Redis); ?ssl_ca_certs=/path/ca.pem for a
                                               private CA, ?ssl_cert_reqs=none only if you must
  unix:///run/redis/redis.sock?db=0            a local socket
  redis+sentinel://[:password@]host1:26379,host2:26379/mymaster/0
                                               Redis Sentinel: the sentinels are asked which server is
                                               the master (service name, then database); after a
                                               failover the same client finds the new master.
                                               ?sentinel_password=... if the sentinels need one.
  rediss+sentinel://...                        the same over TLS (sentinels and master)
"""
import logging
import os
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from bot.config import ConfigError

log = logging.getLogger(__name__)
SOCKET_TIMEOUT = 2.0      # seconds a command may take before the request answers without the store
CONNECT_TIMEOUT = 1.0     # Redis is on the same host or network: a connect takes milliseconds
# Against Twilio's 15-second webhook budget: a request makes at most one slow store call
# (SOCKET_TIMEOUT) before it answers without the store, plus at most a lease's wait
# (bot.conversation.exchange.LEASE_MS, 5 s, plus 1 s) when it is a retry of a delivery still claimed: about
# 2 + 6 + 2 = 10 s at worst.
_TIMEOUTS = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": CONNECT_TIMEOUT}


def connect(url: str | None = None, quiet: bool = False):
    url = url if url is not None else os.environ.get("REDIS_URL", "")
    if url:
        return _real(url)
    import fakeredis
    if not quiet:   # `chat` is in-process by design: nothing to warn about
        log.warning("REDIS_URL is not set: using an in-process store. State is NOT persistent and is "
                    "lost on restart; set REDIS_URL for a real deployment.")
    return fakeredis.FakeRedis(decode_responses=True)


def _retry():
    """One immediate retry on a broken connection only (a pooled connection gone stale after a Redis
    restart or a failover), never on a timeout: a command that timed out may still run when Redis
    wakes, so sending it again would run it twice. The scripts are safe to run twice anyway
    (bot.conversation.exchange). Never a backoff: with Redis down a texter must get their answer now."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError
    from redis.retry import Retry
    return Retry(NoBackoff(), 1, supported_errors=(ConnectionError,))


def _real(url: str):
    import redis
    scheme = urlsplit(url).scheme
    if scheme in ("redis+sentinel", "rediss+sentinel"):
        return _sentinel(url)
    if scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL must start with redis://, rediss://, unix://, redis+sentinel:// or "
                          f"rediss+sentinel:// (got {scheme or 'no scheme'}://)")
    return redis.Redis.from_url(url, decode_responses=True, retry=_retry(), health_check_interval=30, **_TIMEOUTS)


def sentinel_settings(url: str) -> dict:
    """What a redis+sentinel:// URL asks for: sentinels, service, db, passwords, TLS options."""
    from redis.connection import parse_url
    parts = urlsplit(url)
    tls = parts.scheme == "rediss+sentinel"
    hosts = []
    for item in parts.netloc.rpartition("@")[2].split(","):
        host, colon, port = item.rpartition(":")
        if not colon:
            host, port = item, "26379"
        if not host or not port.isdigit():
            raise ConfigError(f"REDIS_URL: {item!r} is not host:port (e.g. redis+sentinel://10.0.0.5:26379/mymaster/0)")
        hosts.append((host, int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ConfigError("REDIS_URL: a Sentinel URL names the master's service and optionally a database: "
                          "redis+sentinel://host:26379/mymaster/0")
    query = dict(parse_qsl(parts.query))
    sentinel_password = query.pop("sentinel_password", None)
    # The master's options (typed as redis-py types them in its own URLs), without host and port.
    options = parse_url(("rediss" if tls else "redis") + "://placeholder/?" + urlencode(query))
    for name in ("host", "port", "connection_class", "db"):
        options.pop(name, None)
    password = unquote(parts.password) if parts.password else None
    username = unquote(parts.username) if parts.username else None
    ssl = {k: v for k, v in options.items() if k.startswith("ssl_")}
    if tls:
        ssl["ssl"] = True
    return {"sentinels": hosts, "service": path[0], "db": int(path[1]) if len(path) == 2 else 0,
            "password": password, "username": username, "sentinel_password": sentinel_password,
            "ssl": ssl, "options": {k: v for k, v in options.items() if not k.startswith("ssl_")}}


def _sentinel(url: str):
    from redis.sentinel import Sentinel
    s = sentinel_settings(url)
    sentinel = Sentinel(s["sentinels"], sentinel_kwargs={"password": s["sentinel_password"], **_TIMEOUTS, **s["ssl"]},
                        **_TIMEOUTS)
    master = {"db": s["db"], "password": s["password"], "username": s["username"], "decode_responses": True,
              "retry": _retry(), "health_check_interval": 30, **_TIMEOUTS, **s["options"], **s["ssl"]}
    return sentinel.master_for(s["service"], **master)

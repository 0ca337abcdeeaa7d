"""Looking at everything a Redis holds."""


def dump_redis(redis):
    """Every key and every value, whatever its type."""
    out = []
    for key in redis.scan_iter("*"):
        out.append(key)
        kind = redis.type(key)
        if kind == "string":
            out.append(redis.get(key))
        elif kind == "hash":
            out += [f"{k}={v}" for k, v in redis.hgetall(key).items()]
        elif kind == "list":
            out += redis.lrange(key, 0, -1)
        elif kind in ("set",):
            out += list(redis.smembers(key))
        elif kind == "zset":
            out += [m for m, _ in redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            out += [str(e) for e in redis.xrange(key)]
    return "\n".join(str(x) for x in out)

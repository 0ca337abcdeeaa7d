"""What a redis-server with `appendfsync everysec` (the README's deployment) loses when it is killed
(SIGKILL) during traffic and restarted: measured through the Procfile's gunicorn. Redis writes each
command to its AOF before it replies, and the kernel keeps that write when the process dies, so a kill
of the process alone should lose nothing acknowledged; the one exception is a write Redis held back
because the previous second's fsync was still running (it may hold it up to 2 s). So: whatever is lost
must have been acknowledged in the last 2 seconds before the kill. (A machine crash loses what the
kernel had not yet written to disk: up to the last second or two; no test here can cut the power.)"""
import threading
import time

from bot.store.spool import Spool
from tests.gunicorn_server import Gunicorn, deliver, inbox_of, sms_form

ESCALATING = ("i want to talk to staff", "my friend is not breathing")
HELD_BACK = 2.0     # seconds Redis may hold back an AOF write while a slow fsync runs


def test_everysec_redis_killed_and_restarted(own_redis, tmp_path):
    assert own_redis.fsync == "everysec"
    server = Gunicorn(own_redis.url, tmp_path / "spool", workers=2)
    acked, stop, lock = {}, threading.Event(), threading.Lock()
    counter = iter(range(10 ** 6))

    def texter():
        while not stop.is_set():
            with lock:
                i = next(counter)
            sender = f"+1780554{i:04d}"
            msgs, _ = deliver(server.base, sms_form(20000 + i, ESCALATING[i % 2], sender))
            acked[sender] = (time.monotonic(), msgs[-1])

    threads = [threading.Thread(target=texter) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        time.sleep(3)
        killed_at = time.monotonic()
        own_redis.stop(kill=True)        # SIGKILL mid-traffic...
        time.sleep(0.5)
        own_redis.start()                # ...and back from its AOF
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join(30)
        spool, extra, deadline = Spool(tmp_path / "spool", sealer=None), 0, time.monotonic() + 30
        while spool.count() and time.monotonic() < deadline:
            deliver(server.base, sms_form(90000 + extra, "thanks", f"+1780553{extra:04d}"))
            extra += 1
            time.sleep(0.3)
    finally:
        server.stop()

    inbox = inbox_of(own_redis)
    opened = {inbox.address(c["id"])[1] for c in inbox.listing()}
    before = [s for s, (at, _) in acked.items() if at < killed_at]
    lost = [s for s in acked if s not in opened]
    lost_ages = sorted(round(killed_at - acked[s][0], 2) for s in lost)
    spooled = sum(1 for _, last in acked.values() if "system is having trouble" in last)
    print(f"\neverysec redis-server SIGKILLed and restarted: {len(acked)} escalations acknowledged "
          f"({len(before)} before the kill, {spooled} kept in the spool while it was down); "
          f"in the inbox afterwards {len(opened & set(acked))}; lost {len(lost)}"
          + (f" (acknowledged {lost_ages} s before the kill)" if lost else ""))
    assert len(before) >= 10 and spooled >= 1
    assert all(0 <= age <= HELD_BACK for age in lost_ages), "only the last seconds before a kill can be lost"

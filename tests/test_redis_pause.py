"""The Procfile's gunicorn (three workers) while its redis-server stalls during traffic: DEBUG SLEEP of
1 and 4 seconds, CLIENT PAUSE, and the process stopped (SIGSTOP) then continued. Every message is
answered with content, and every escalation sent reaches the inbox (late, through the spool, when it
came during a stall), once."""
import os
import signal
import threading
import time

import redis

from bot.store.spool import Spool
from tests.gunicorn_server import Gunicorn, deliver, inbox_of, sms_form

MIX = ["where can i get narcan", "my friend is not breathing", "what are fentanyl test strips",
       "i want to talk to staff", "how do i smoke safer", "can i talk to a real person"]
ESCALATING = {"my friend is not breathing", "i want to talk to staff", "can i talk to a real person"}
DELAYED = "system is having trouble"
ALERTED = ("worker has been alerted", "Staff aren't on right now")     # in or out of staff hours


def stalls(own_redis):
    """Each stall, run while traffic flows; returns when it is over."""
    admin = redis.Redis(host="127.0.0.1", port=own_redis.port, socket_timeout=15)

    def debug_sleep(seconds):
        admin.execute_command("DEBUG", "SLEEP", seconds)     # blocks the whole server, this call included

    def client_pause():
        admin.execute_command("CLIENT", "PAUSE", 3000, "ALL")
        time.sleep(3.2)

    def sigstop():
        os.kill(own_redis.process.pid, signal.SIGSTOP)
        time.sleep(3)
        os.kill(own_redis.process.pid, signal.SIGCONT)
    return [("DEBUG SLEEP 1", lambda: debug_sleep(1)), ("DEBUG SLEEP 4", lambda: debug_sleep(4)),
            ("CLIENT PAUSE 3 s", client_pause), ("SIGSTOP 3 s", sigstop)]


def test_redis_stalls_during_traffic_lose_nothing(own_redis, tmp_path):
    server = Gunicorn(own_redis.url, tmp_path / "spool", workers=3)
    sent, problems, stop = {}, [], threading.Event()
    counter = iter(range(10 ** 6))
    lock = threading.Lock()

    def texter():
        while not stop.is_set():
            with lock:
                i = next(counter)
            body = MIX[i % len(MIX)]
            try:
                sent[i] = (body, deliver(server.base, sms_form(i, body, f"+1780559{i:04d}"))[0])
            except AssertionError as exc:
                problems.append(str(exc))

    threads = [threading.Thread(target=texter) for _ in range(3)]
    done = []
    try:
        for t in threads:
            t.start()
        for name, stall in stalls(own_redis):
            time.sleep(0.8)                      # traffic with Redis well...
            before = len(sent)
            started = time.monotonic()
            stall()                              # ...then stalled
            done.append(f"{name} ({len(sent) - before} answered meanwhile, {time.monotonic() - started:.1f} s)")
        time.sleep(0.8)
        stop.set()
        for t in threads:
            t.join(60)
        # Later messages drain the spool into the inbox (any worker, once the store answers).
        spool = Spool(tmp_path / "spool", sealer=None)
        deadline, extra = time.monotonic() + 30, 10 ** 5
        while spool.count() and time.monotonic() < deadline:
            deliver(server.base, sms_form(extra, "thanks", f"+1780550{extra % 10000:04d}"))
            extra += 1
            time.sleep(0.3)
        waiting = spool.count()
    finally:
        server.stop()

    answered = sum(1 for body, msgs in sent.values() if msgs and msgs[0])
    escalating = {f"+1780559{i:04d}" for i, (body, _) in sent.items() if body in ESCALATING}
    delayed = sum(1 for body, msgs in sent.values() if body in ESCALATING and DELAYED in msgs[-1])
    alerted = sum(1 for body, msgs in sent.values() if body in ESCALATING and any(a in msgs[-1] for a in ALERTED))
    inbox = inbox_of(own_redis)
    opened = [inbox.address(c["id"])[1] for c in inbox.listing()]
    print(f"\nstalls: {'; '.join(done)}\nmessages sent {len(sent)}, answered with content {answered}; "
          f"escalations sent {len(escalating)} (told a worker was alerted {alerted}, told the system is having "
          f"trouble {delayed}); conversations in the inbox {len(opened)}; left in the spool {waiting}")
    assert not problems and not any(t.is_alive() for t in threads), problems
    assert len(sent) >= 40 and answered == len(sent), "every message answered with content"
    assert delayed >= 1, "some escalations came during a stall"
    assert alerted + delayed == len(escalating), "each escalation was told the truth: alerted, or kept for later"
    assert waiting == 0 and sorted(opened) == sorted(escalating), "escalations sent = conversations in the inbox"

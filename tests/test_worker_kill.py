"""The Procfile's gunicorn (three sync workers) with a real redis-server: workers SIGKILLed again and
again during traffic, inside requests. A test hook (BOT_TEST_STALL_SECONDS, off unless a test sets it)
makes each request pause after it claims its delivery and again after it writes to the inbox, so the
kills reliably land inside requests, both before and after the escalation is stored. The clients
retry like Twilio and Telegram do (the same MessageSid or update until acknowledged). Every texter is answered, and every
escalation is in the inbox exactly once."""
import os
import random
import signal
import threading
import time

from tests.gunicorn_server import Gunicorn, deliver, deliver_telegram, inbox_of, sms_form, telegram_update

ESCALATING = ("my friend is not breathing", "i want to talk to staff")
PLAIN = ("where can i get narcan", "what are fentanyl test strips")
CLIENTS, PER_CLIENT, KILLS = 4, 10, 10
NOTICES = ("worker has been alerted", "Staff aren't on right now")   # in or out of staff hours


def address_of(i):
    return 730000000 + i if (i // 100) % 2 else f"+1780558{i:04d}"


def test_workers_killed_inside_requests_lose_and_double_nothing(own_redis, tmp_path):
    started = time.monotonic()
    server = Gunicorn(own_redis.url, tmp_path / "spool", workers=3, BOT_TEST_STALL_SECONDS="1.2")
    booted = time.monotonic()
    answers, retried, kills, done = {}, {}, [], threading.Event()

    def texter(c):
        for n in range(PER_CLIENT):
            i = c * 100 + n
            body = (ESCALATING if n % 2 else PLAIN)[n // 2 % 2]
            if c % 2:   # half the texters on Telegram, whose webhook reply carries one message with the notice
                msgs, retried[i] = deliver_telegram(server.base, telegram_update(700000 + i, body, address_of(i)))
            else:
                msgs, retried[i] = deliver(server.base, sms_form(i, body, address_of(i)))
            answers[i] = (body, msgs)

    def killer():
        rng, born = random.Random(7), {}
        while len(kills) < KILLS and not done.is_set():
            time.sleep(0.8)
            # Only a worker alive for a few seconds (it has loaded the engine and its trained models,
            # and is taking requests), never one still starting.
            now = set(server.workers())
            born = {pid: born.get(pid, time.monotonic()) for pid in now}
            ready = sorted(pid for pid, since in born.items() if time.monotonic() - since > 5)
            if ready:
                os.kill(rng.choice(ready), signal.SIGKILL)
                kills.append(1)

    threads = [threading.Thread(target=texter, args=(c,)) for c in range(CLIENTS)]
    chaos = threading.Thread(target=killer)
    try:
        chaos.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        done.set()
        chaos.join(10)
        traffic = time.monotonic() - booted
    finally:
        server.stop()

    escalating = {str(address_of(i)) for i, (body, _) in answers.items() if body in ESCALATING}
    answered = sum(1 for body, msgs in answers.values() if msgs and msgs[0])
    hit = sum(1 for n in retried.values() if n)
    inbox = inbox_of(own_redis)
    convs = inbox.listing()
    opened = [inbox.address(c["id"])[1] for c in convs]
    texter_lines = {c["id"]: sum(1 for m in inbox.messages(c["id"]) if m["who"] == "texter") for c in convs}
    print(f"\ngunicorn up in {booted - started:.1f} s, traffic {traffic:.1f} s; workers SIGKILLed {len(kills)} times; "
          f"{hit} deliveries cut off inside a request and retried; "
          f"answered {answered} of {len(answers)} texters; escalations sent {len(escalating)}, "
          f"conversations in the inbox {len(convs)} ({len(set(opened))} texters), "
          f"texter lines per conversation {sorted(set(texter_lines.values()))}")
    assert not any(t.is_alive() for t in threads)
    assert len(answers) == CLIENTS * PER_CLIENT and answered == len(answers), "every texter answered with content"
    assert len(kills) >= KILLS and hit >= 2, "the kills landed inside requests"
    for body, msgs in answers.values():
        if body in ESCALATING:
            assert any(notice in msgs[-1] for notice in NOTICES), msgs
    assert sorted(opened) == sorted(escalating), "every escalation in the inbox, none doubled"
    assert set(texter_lines.values()) == {1}, "no transcript line written twice by a retry"

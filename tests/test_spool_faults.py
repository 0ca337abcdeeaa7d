"""The spool under real disk faults, with a real redis-server stopped: a full disk (a tiny tmpfs), a
spool that cannot be written (the filesystem remounted read-only) and poisoned entries. No escalation
the texter was told is kept is ever lost; when nothing can keep one, the texter is told so honestly,
/healthz says 503 with the reason and the operator gets an ERROR; a bad entry is quarantined, and the
ones after it are delivered."""
import errno
import logging
import sqlite3
import subprocess
import time

import pytest

from bot.privacy.sealed import Sealer
from bot.store.spool import Spool
from tests import staff
from tests.helpers.common import IN_CI, make_app
from tests.helpers.sms_webhook import sms_reply

KEPT = "system is having trouble"             # staff_delayed: "... Your request is saved ..."
REFUSED = "can't reach staff right now"       # staff_unreachable
ESCALATING = ("my friend is not breathing", "i want to talk to staff")


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs of the test's own (the machine's disks are never filled)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {done.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def remount(mount, mode):
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)


def fill(folder) -> int:
    """Write a file until the disk refuses (ENOSPC); returns its size."""
    size = 0
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                size += f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return size


def escalate(app, sender, i=0):
    first, second = sms_reply(app.test_client(), ESCALATING[i % 2], sender)
    assert first, "the answer (emergency steps first) always comes"
    if ESCALATING[i % 2] == "my friend is not breathing":
        assert first.startswith("911")
    assert (KEPT in second) != (REFUSED in second), second
    if REFUSED in second:
        # Honest: nothing about a worker alerted or a request saved, and who can help now.
        assert "alerted" not in second and "saved" not in second and "988" in second and "911" in second
    return KEPT in second


def app_with_spool(engine, own_redis, recorder, folder):
    app = make_app(engine, own_redis.client(), recorder, BOT_SPOOL_DIR=str(folder))
    app.extensions["services"].conversations.hours = None
    app.extensions["services"].conversations.spool.look_every = 0
    return app


def delivered_to(app) -> set[str]:
    inbox = app.extensions["services"].inbox
    return {inbox.address(c["id"])[1] for c in inbox.listing()}


def test_full_spool_disk_while_redis_is_down(engine, own_redis, recorder, small_disk, caplog):
    caplog.set_level(logging.ERROR)
    app = app_with_spool(engine, own_redis, recorder, small_disk / "spool")
    own_redis.stop()
    kept, refused = [], []
    for i in range(12):
        sender = f"+1780551{i:04d}"
        if i == 3:
            fill(small_disk)                                  # the disk fills up...
            health = app.test_client().get("/healthz")
            assert health.status_code == 503 and "spool not writable" in health.get_json()["reason"]
        if i == 8:
            (small_disk / "filler").unlink()                  # ...and is freed again
            assert app.test_client().get("/healthz").status_code == 200
        (kept if escalate(app, sender, i) else refused).append(sender)
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    own_redis.start()
    assert app.extensions["services"].conversations.deliver_spooled() == len(kept)
    inbox = delivered_to(app)
    print(f"\nfull spool disk, Redis down: escalations {len(kept) + len(refused)}, kept and acknowledged "
          f"{len(kept)}, refused honestly {len(refused)}; delivered to the inbox {len(inbox)}; "
          f"ERROR lines for nothing kept {sum('NOTHING could keep' in m for m in logged)}")
    assert len(refused) >= 4 and len(kept) >= 6
    assert inbox == set(kept), "every acknowledged escalation reached the inbox, and only those"
    assert sum("NOTHING could keep" in m for m in logged) == len(refused)
    assert app.extensions["services"].conversations.spool.count() == 0


def test_unwritable_spool_keeps_what_it_acknowledged(engine, own_redis, recorder, small_disk, caplog):
    caplog.set_level(logging.ERROR)
    app = app_with_spool(engine, own_redis, recorder, small_disk / "spool")
    own_redis.stop()
    assert escalate(app, "+17805510101")                      # kept
    remount(small_disk, "ro")                                 # the spool can no longer be written
    try:
        assert not escalate(app, "+17805510102", 1) and not escalate(app, "+17805510103")
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and "store unreachable" in health.get_json()["reason"]
    finally:
        remount(small_disk, "rw")
    own_redis.start()
    app.extensions["services"].conversations.deliver_spooled()
    inbox = delivered_to(app)
    print(f"\nunwritable spool, Redis down: kept 1, refused honestly 2; delivered to the inbox {len(inbox)}")
    assert inbox == {"+17805510101"}
    assert any("NOTHING could keep" in r.getMessage() for r in caplog.records)
    assert app.test_client().get("/healthz").get_json() == {"ok": True, "store": "ok"}


def test_poisoned_entries_are_quarantined_and_later_ones_delivered(engine, own_redis, recorder, tmp_path, caplog):
    caplog.set_level(logging.ERROR)
    folder = tmp_path / "spool"
    app = app_with_spool(engine, own_redis, recorder, folder)
    staff.add_user(app, "ada", role="admin")
    staff.add_user(app, "sam")
    own_redis.stop()
    assert escalate(app, "+17805510201")
    # One entry sealed under another address key (as after the key was changed), one that is not JSON.
    Spool(folder, Sealer(b"\x01" * 32)).put("poison-1", "x" * 64, "sms", "+17805559999", "staff", "en",
                                            [("texter", "help")], "{}")
    with sqlite3.connect(folder / "spool.sqlite3") as db:
        db.execute("INSERT INTO entries VALUES ('poison-2', ?, '{not json', NULL)", (time.time(),))
    time.sleep(0.01)
    assert escalate(app, "+17805510202", 1) and escalate(app, "+17805510203")
    own_redis.start()
    admin = staff.client_for(app, "ada")
    page = admin.get("/inbox").get_data(as_text=True)        # the inbox view drains the spool
    spool = app.extensions["services"].conversations.spool
    errors = [r.getMessage() for r in caplog.records if "quarantined" in r.getMessage()]
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    print(f"\npoisoned spool: 3 good entries and 2 bad; delivered {len(delivered_to(app))}, "
          f"quarantined {spool.quarantined()}, ERROR lines {len(errors)}")
    assert delivered_to(app) == {"+17805510201", "+17805510202", "+17805510203"}
    assert spool.count() == 0 and spool.quarantined() == 2 and len(errors) == 2
    assert "bot_spool_quarantined 2" in metrics and "bot_spool_waiting 0" in metrics
    assert 'id="quarantined"' in page and "2 escalation(s)" in page
    assert 'id="quarantined"' not in staff.client_for(app, "sam").get("/inbox").get_data(as_text=True)
    on_disk = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    assert b"17805559999" not in on_disk and b"1780551020" not in on_disk

"""Escalations that could not reach the store (Redis down) wait here, on local disk, until it is back.

One SQLite database (standard library) in WAL mode with synchronous=FULL: each escalation is one
transaction, written and fsynced before the texter is told it is kept, and a torn write (a full disk,
a killed worker) rolls back instead of corrupting what is already there. The folder is the owner's
only (0700, the files 0600). Nothing in it names anyone: the sender is the keyed hash, the texter's
words are scrubbed, and the address is sealed (AES-GCM) exactly as in the inbox.

Entries are keyed by the delivery's hashed id, so a retried MessageSid while Redis is down is kept
(and answered) once. Any process drains the spool once the store answers again, one process at a
time (a lock file). An entry that cannot be opened or delivered for any reason other than the store
is moved to a quarantine table, logged at ERROR and counted, and the drain goes on with the next.
"""
import fcntl
import json
import logging
import os
import sqlite3
import time
from pathlib import Path

from bot.privacy.scrub import scrub as default_scrub

log = logging.getLogger(__name__)
DB_NAME = "spool.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (event TEXT PRIMARY KEY, at REAL NOT NULL, body TEXT NOT NULL, reply TEXT);
CREATE TABLE IF NOT EXISTS quarantine (event TEXT, at REAL NOT NULL, moved REAL NOT NULL, why TEXT NOT NULL,
                                       body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS probe (n INTEGER);
"""


class SpoolUnavailable(OSError):
    """Nothing could be written to the spool (full disk, no permission, a broken file)."""


class StoreGone(Exception):
    """Raised by a deliver callback when the store went away again: stop draining, keep the rest."""


def default_folder() -> Path:
    """Not a predictable shared temp path: the user's state directory (XDG), as other tools do."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "hrbot" / "spool"


class Spool:
    def __init__(self, folder, sealer, look_every: float = 1.0, scrub=default_scrub):
        self.folder = Path(folder)
        self.path = self.folder / DB_NAME
        self.sealer = sealer
        self.scrub = scrub
        self.look_every = look_every
        self._next_look = 0.0

    # -- the database ----------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not create and not self.path.exists():
            return None
        if create:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if self.folder.stat().st_mode & 0o077:
                os.chmod(self.folder, 0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        # A connection per use: cheap next to an fsync, safe across threads and gunicorn's forks.
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        if create:
            db.executescript(_SCHEMA)
        return db

    def _write(self, work):
        """Run `work(db)` in one write transaction; any failure to write is SpoolUnavailable."""
        db = None
        try:
            db = self._connect(create=True)
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return result
        except (OSError, sqlite3.Error) as exc:
            # The kind and the system's words, never a path: /healthz shows this to anyone.
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise SpoolUnavailable(f"{type(exc).__name__}: {detail}") from exc
        finally:
            if db is not None:
                db.close()

    # -- keeping an escalation -------------------------------------------------------------------

    def put(self, event: str, sender: str, channel: str, address: str, reason: str, lang: str,
            texts: list[tuple[str, str]], reply: str) -> str | None:
        """Keep an escalation (durably) under the delivery's hashed id. Returns None when it is kept
        now, or the reply given the first time when this delivery was kept before (a retry).
        Raises SpoolUnavailable when it cannot be kept."""
        body = json.dumps({"sender": sender, "channel": channel, "address": self.sealer.seal(address, "spool:" + sender),
                           "reason": reason, "lang": lang,
                           "texts": [(who, self.scrub(text) if who == "texter" else text) for who, text in texts]},
                          ensure_ascii=False)

        def work(db):
            if db.execute("INSERT OR IGNORE INTO entries VALUES (?, ?, ?, ?)", (event, time.time(), body, reply)).rowcount:
                return None
            return db.execute("SELECT reply FROM entries WHERE event = ?", (event,)).fetchone()[0] or reply
        found = self._write(work)
        self._next_look = 0.0
        return found

    def writable(self) -> str | None:
        """None when an escalation could be kept right now, else why not (for /healthz)."""
        try:
            self._write(lambda db: (db.execute("INSERT INTO probe VALUES (1)"), db.execute("DELETE FROM probe")))
            return None
        except SpoolUnavailable as exc:
            return str(exc)

    # -- what is waiting -------------------------------------------------------------------------

    def _read(self, sql: str, args=()) -> list:
        try:
            db = self._connect(create=False)
        except (OSError, sqlite3.Error):
            return []
        if db is None:
            return []
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.Error:
            return []
        finally:
            db.close()

    def waiting(self) -> bool:
        """Whether anything may be waiting; looks at the disk at most every `look_every` seconds."""
        now = time.monotonic()
        if now < self._next_look:
            return False
        self._next_look = now + self.look_every
        return bool(self._read("SELECT 1 FROM entries LIMIT 1"))

    def look_again(self) -> None:
        """Look at the disk on the next waiting(), not `look_every` from now (a drain was cut short)."""
        self._next_look = 0.0

    def count(self) -> int:
        return (self._read("SELECT COUNT(*) FROM entries") or [(0,)])[0][0]

    def quarantined(self) -> int:
        return (self._read("SELECT COUNT(*) FROM quarantine") or [(0,)])[0][0]

    # -- handing it to the inbox -----------------------------------------------------------------

    def drain(self, deliver) -> int:
        """Hand each waiting escalation, oldest first, to `deliver(event, entry, address, reply)`.
        StoreGone from it stops the drain (the rest waits); any other failure quarantines that entry."""
        if not self.path.exists():
            return 0
        delivered = 0
        with open(self.folder / "drain.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0        # another process is draining it right now
            for event, at, body, reply in self._read("SELECT event, at, body, reply FROM entries ORDER BY at"):
                try:
                    entry = json.loads(body)
                    address = self.sealer.open(entry["address"], "spool:" + entry["sender"])
                    deliver(event, entry, address, reply)
                except StoreGone:
                    break
                except Exception as exc:
                    # Only the kind of failure: an exception's message could quote what it failed on.
                    if self._quarantine(event, at, body, type(exc).__name__):
                        continue
                    break
                try:
                    self._write(lambda db, event=event: db.execute("DELETE FROM entries WHERE event = ?", (event,)))
                except SpoolUnavailable:
                    # Delivered but still listed: the next drain delivers it again into the same
                    # conversation (found by sender), which beats losing track of the spool.
                    log.error("could not remove a delivered escalation from the spool")
                    break
                delivered += 1
        if delivered:
            log.info("delivered %d spooled escalation(s) to the inbox", delivered)
        return delivered

    def _quarantine(self, event: str, at: float, body: str, why: str) -> bool:
        def work(db):
            db.execute("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)", (event, at, time.time(), why, body))
            db.execute("DELETE FROM entries WHERE event = ?", (event,))
        try:
            self._write(work)
        except SpoolUnavailable:
            log.error("could not quarantine a spooled escalation that cannot be delivered (%s)", why)
            return False
        # The entry stays sealed in the quarantine table; the log says only that it exists and why.
        log.error("quarantined a spooled escalation that could not be delivered (%s); "
                  "%d in quarantine, shown to admins in the inbox", why, self.quarantined())
        return True

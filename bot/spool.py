"""Escalations that could not reach the store (Redis down) wait here, on local disk, until it is back.

One file per process, one JSON line per escalation, flushed and fsynced before the texter is answered,
so an acknowledged escalation survives a crash of the worker. Nothing in it names anyone: the sender
is the keyed hash, the texter's words are scrubbed, and the address is sealed (AES-GCM) exactly as
in the inbox. Any process drains every file once the store answers again, under a file lock.
"""
import fcntl
import json
import logging
import os
import time
from pathlib import Path

from bot.scrub import scrub as default_scrub

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, folder, sealer, look_every: float = 1.0, scrub=default_scrub):
        self.folder = Path(folder)
        self.sealer = sealer
        self.scrub = scrub
        self.look_every = look_every
        self._next_look = 0.0

    def put(self, sender: str, channel: str, address: str, reason: str, lang: str, texts: list[tuple[str, str]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        entry = {"sender": sender, "channel": channel, "address": self.sealer.seal(address, "spool:" + sender),
                 "reason": reason, "lang": lang, "at": time.time(),
                 "texts": [(who, self.scrub(text) if who == "texter" else text) for who, text in texts]}
        path = self.folder / f"spool-{os.getpid()}.jsonl"
        with open(path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
            fcntl.flock(f, fcntl.LOCK_UN)
        self._next_look = 0.0

    def waiting(self) -> bool:
        """Whether anything may be waiting; looks at the folder at most every `look_every` seconds."""
        now = time.monotonic()
        if now < self._next_look:
            return False
        self._next_look = now + self.look_every
        return self.folder.is_dir() and any(p.stat().st_size for p in self.folder.glob("spool-*.jsonl"))

    def count(self) -> int:
        if not self.folder.is_dir():
            return 0
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in self.folder.glob("spool-*.jsonl"))

    def drain(self, deliver) -> int:
        """Hand each waiting escalation to `deliver(entry, address)`; keep what fails for next time."""
        delivered = 0
        if not self.folder.is_dir():
            return 0
        for path in sorted(self.folder.glob("spool-*.jsonl")):
            if not path.stat().st_size:
                continue
            try:
                f = open(path, "r+", encoding="utf-8")
            except FileNotFoundError:
                continue
            with f:
                fcntl.flock(f, fcntl.LOCK_EX)
                lines = [line for line in f.read().splitlines() if line.strip()]
                left = []
                for i, line in enumerate(lines):
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        log.error("dropped an unreadable spooled escalation in %s", path.name)
                        continue
                    try:
                        deliver(entry, self.sealer.open(entry["address"], "spool:" + entry["sender"]))
                        delivered += 1
                    except Exception:
                        left = lines[i:]
                        break
                # Emptied in place, never unlinked: a writer may already hold the file open.
                f.seek(0)
                f.truncate()
                if left:
                    f.write("\n".join(left) + "\n")
                f.flush()
                os.fsync(f.fileno())
                fcntl.flock(f, fcntl.LOCK_UN)
            if left:
                break
        if delivered:
            log.info("delivered %d spooled escalation(s) to the inbox", delivered)
        return delivered

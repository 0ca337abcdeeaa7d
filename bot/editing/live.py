"""Edited content goes live without a restart, in every worker; a broken edit never does.

Each worker looks at the content folder (and config.toml) at most every `interval` seconds. When a file
has changed it loads and checks everything in a background thread, off the request path; only content
with no errors replaces what is served. A refused edit is logged and written to the store as the
content status, which the inbox shows, and the last good content keeps serving.
"""
import dataclasses
import hashlib
import json
import logging
import threading
import time
from pathlib import Path

from bot import config as config_module
from bot.content.load import ContentError
from bot.store import keys

log = logging.getLogger(__name__)
STATUS_KEY = keys.CONTENT_STATUS


def fingerprint(config_path: Path, content_dir: Path) -> str:
    """Changes whenever any content or config file is added, removed, renamed or saved."""
    digest = hashlib.sha256()
    paths = sorted(p for p in Path(content_dir).rglob("*.toml") if p.is_file())
    for path in [Path(config_path), *paths]:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}|{stat.st_mtime_ns}|{stat.st_size}\n".encode())
    return digest.hexdigest()[:16]


def build_checked(config_path: Path, today=None, content_dir: Path | None = None):
    """(engine, warnings) for the files as they are now; ContentError when anything would break.

    `content_dir` checks another copy of the content (an edit not yet made) with this config."""
    from bot.conversation.conversations import build_engine
    from bot.editing.check import check_and_build
    try:
        cfg = config_module.load(config_path)
    except config_module.ConfigError as exc:
        raise ContentError([(str(config_path), 1, str(exc))]) from None
    if content_dir is not None:
        cfg = dataclasses.replace(cfg, content_dir=Path(content_dir))
    problems, engine = check_and_build(cfg, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError([(p.file, p.line, p.message) for p in errors])
    # The engine the check routed every example with is the one served (built anew if it had none).
    return engine or build_engine(cfg), [p for p in problems if p.severity != "error"]


class LiveEngine:
    def __init__(self, engine, config_path, redis=None, interval: float = 2.0, on_change=None):
        self.engine = engine
        self.config_path = Path(config_path)
        self.content_dir = Path(engine.config.content_dir)
        self.redis = redis
        self.interval = interval
        self.on_change = on_change          # called with each newly served engine
        self.serving = fingerprint(self.config_path, self.content_dir)
        self.refused: str | None = None     # fingerprint of the last edit that was refused
        self._next_look = 0.0
        self._lock = threading.Lock()
        self._busy = False

    def maybe_reload(self, wait: bool = False) -> None:
        """Cheap enough to call on every request: looks at file times at most every `interval` seconds."""
        now = time.monotonic()
        if now < self._next_look and not wait:
            return
        self._next_look = now + self.interval
        seen = fingerprint(self.config_path, self.content_dir)
        if seen in (self.serving, self.refused):
            return
        with self._lock:
            if self._busy:
                return
            self._busy = True
        if wait:
            self._reload(seen)
        else:
            threading.Thread(target=self._reload, args=(seen,), name="content-reload", daemon=True).start()

    def _reload(self, seen: str) -> None:
        started = time.perf_counter()
        try:
            try:
                engine, warnings = build_checked(self.config_path)
            except ContentError as exc:
                self.refused = seen
                log.error("content edit NOT published (the previous content keeps serving): %d problem(s)\n%s",
                          len(exc.problems), exc)
                self._status(ok=False, problems=[f"{f}:{line}: {msg}" for f, line, msg in exc.problems])
                return
            except Exception:
                self.refused = seen
                log.exception("content edit NOT published: could not load it")
                self._status(ok=False, problems=["the content could not be loaded; see the server log"])
                return
            self.engine, self.serving, self.refused = engine, seen, None
            if self.on_change:
                self.on_change(engine)
            log.info("content published: %d topics, %d warning(s), %.0f ms", len(engine.content.topics),
                     len(warnings), (time.perf_counter() - started) * 1000)
            self._status(ok=True, problems=[])
        finally:
            with self._lock:
                self._busy = False

    def _status(self, ok: bool, problems: list[str]) -> None:
        if self.redis is None:
            return
        try:
            self.redis.set(STATUS_KEY, json.dumps({"ok": ok, "at": time.time(), "problems": problems[:50]}))
        except Exception:
            log.warning("could not record the content status in the store")


def status(redis) -> dict | None:
    """The last reload's outcome as the inbox shows it, or None when there is nothing to report."""
    try:
        raw = redis.get(STATUS_KEY)
    except Exception:
        return None
    return json.loads(raw) if raw else None

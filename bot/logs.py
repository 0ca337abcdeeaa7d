"""Where the app's own log lines go: stderr, one line per record, at a level from LOG_LEVEL or config.

Under gunicorn the root logger has no handler of its own, so without this the INFO lines this project
writes (channel, hash prefix, topic, timing: never an address or message text) would vanish.
"""
import logging
import os
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """A record on one line, tracebacks included, so a log collector keeps each record whole."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", " | ")


def level(config_level: str = "INFO") -> str:
    """LOG_LEVEL from the environment wins over config.toml's [logging] level."""
    wanted = os.environ.get("LOG_LEVEL", "").strip().upper() or config_level
    return wanted if wanted in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO"


def setup(config_level: str = "INFO", stream=None, filename: str | None = None) -> None:
    """Send the app's records to stderr (or a file) once; leave a handler someone else set alone."""
    root = logging.getLogger()
    if any(getattr(h, "_hrbot", False) for h in root.handlers):
        root.setLevel(level(config_level))
        return
    handler = logging.FileHandler(filename, encoding="utf-8") if filename else logging.StreamHandler(stream or sys.stderr)
    handler._hrbot = True  # type: ignore[union-attr]  # marks the handler as ours (see above)
    handler.setFormatter(OneLineFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level(config_level))

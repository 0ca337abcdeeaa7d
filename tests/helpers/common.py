"""What the tests share that is not a fixture: where the project is, whether this is CI, and the
app the channel tests run (the real one, with vendor APIs pointed at a local recorder)."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI") == "true"


def need_shared(relative: str) -> Path:
    """A file from ../shared; skipped on a clone without it, but never under CI."""
    path = SHARED / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing under CI")
        pytest.skip(f"{path} not present beside this clone")
    return path


TWILIO_TOKEN = "test-auth-token-0123456789abcdef"
TELEGRAM_SECRET = "test_secret-token"
PUBLIC_URL = "https://bot.example.org"


def make_app(engine, redis, recorder, **extra):
    """The real app, with vendor APIs pointed at the local recorder."""
    import tempfile

    from handlers.web import create_app
    return create_app({
        "BOT_SPOOL_DIR": tempfile.mkdtemp(prefix="hrbot-test-spool-"),
        "TESTING": True, "ENGINE": engine, "REDIS": redis, "BOT_SECRET_KEY": b"k" * 32,
        "PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+15550001111", "TWILIO_API_BASE": recorder.url,
        "TELEGRAM_BOT_TOKEN": "123456:TEST-token", "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": recorder.url, **extra,
    })

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bot import config as config_module  # noqa: E402
from bot.conversation import build_engine  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.state import State  # noqa: E402

IN_CI = os.environ.get("CI") == "true"


def need_shared(relative: str) -> Path:
    """A file from ../shared; skipped on a clone without it, but never under CI."""
    path = SHARED / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing under CI")
        pytest.skip(f"{path} not present beside this clone")
    return path


@pytest.fixture(scope="session")
def cfg():
    return config_module.load(ROOT / "config.toml")


@pytest.fixture(scope="session")
def engine(cfg):
    return build_engine(cfg)


@pytest.fixture
def ask(engine):
    """Ask one message in a fresh conversation."""
    def _ask(text, channel="sms", lang=None):
        return engine.reply(Message(text, channel=channel, lang=lang), State())
    return _ask


@pytest.fixture
def talk(engine):
    """A conversation: returns a function that sends the next message and returns the reply."""
    state = State()

    def _talk(text, channel="sms"):
        return engine.reply(Message(text, channel=channel), state)
    _talk.state = state
    return _talk

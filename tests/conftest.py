import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import config as config_module  # noqa: E402
from bot.conversation.conversations import build_engine  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.store.state import State  # noqa: E402
from tests.helpers.common import IN_CI, make_app  # noqa: E402


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


@pytest.fixture(scope="session")
def session_redis(tmp_path_factory):
    """A redis-server of this test session's own, on a free port (never the machine's 6379), so two
    test runs on one machine cannot disturb each other."""
    import shutil

    from tests.redis_server import RedisServer
    if not shutil.which("redis-server"):
        if IN_CI:
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("session-redis"), persist=False).start()
    yield server
    server.stop()


@pytest.fixture
def real_redis(session_redis):
    """A real Redis (this session's own server), emptied around each test."""
    import redis
    client = redis.Redis(host="127.0.0.1", port=session_redis.port, db=0, decode_responses=True,
                         socket_timeout=5)
    client.flushdb()
    client.script_flush()
    yield client
    client.flushdb()


def _own_redis(tmp_path, fsync):
    import shutil

    from tests.redis_server import RedisServer
    if not shutil.which("redis-server"):
        if IN_CI:
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    return RedisServer(folder, fsync=fsync).start()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server started by the test, persisting with AOF into tmp_path, fsynced every second as
    the README's deployment does."""
    server = _own_redis(tmp_path, "everysec")
    yield server
    server.stop()


@pytest.fixture
def fsync_always_redis(tmp_path):
    """The same with `appendfsync always`: only then does a killed redis-server keep every acknowledged
    write for certain (with everysec Redis may hold back a write while the last fsync is still running)."""
    server = _own_redis(tmp_path, "always")
    yield server
    server.stop()


@pytest.fixture
def recorder():
    from tests.recorder import Recorder
    rec = Recorder()
    yield rec
    rec.close()


@pytest.fixture
def channel_app(engine, real_redis, recorder):
    return make_app(engine, real_redis, recorder)


@pytest.fixture
def site(tmp_path):
    """A deployment's files: config.toml with its own copy of content/ beside it."""
    import shutil
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


# Modules whose tests wait on real processes (gunicorn workers killed, Redis paused, a browser, content
# reloads) for tens of seconds. Started first, they overlap with the many short tests instead of
# running alone at the end while the other workers sit idle.
LONG_RUNNING = ("test_worker_kill", "test_redis_pause", "test_redis_everysec", "test_editor", "test_hostile",
                "test_editor_browser", "test_inbox_browser", "test_loop_browser", "test_redis_urls")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONG_RUNNING)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rsplit(".", 1)[-1], len(rank)))

"""The Procfile's own command (gunicorn), started as an operator would, writes the app's INFO lines to
stderr, one per record, with hash prefixes only; LOG_LEVEL changes the level."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.common import ROOT
from tests.redis_server import free_port

BIN = Path(sys.executable).parent     # the virtualenv running the tests, where its gunicorn is


def procfile_command() -> str:
    (line,) = [candidate for candidate in (ROOT / "Procfile").read_text().splitlines() if candidate.startswith("web:")]
    return line.split(":", 1)[1].strip()


def start(redis_url, tmp_path, **env):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    environment = {**environment, "PORT": str(port), "WEB_CONCURRENCY": "1", "REDIS_URL": redis_url,
                   "BOT_SECRET_KEY": "g" * 64, "BOT_SPOOL_DIR": str(tmp_path / "spool"),
                   "XDG_RUNTIME_DIR": str(tmp_path),   # gunicorn's control socket: this server's own
                   "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    err = open(tmp_path / f"stderr-{port}.log", "w+")
    proc = subprocess.Popen(["sh", "-c", "exec " + procfile_command()], cwd=ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/ping", timeout=1)
            return proc, base, err
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    err.seek(0)
    raise AssertionError("gunicorn did not start:\n" + err.read())


def chat(base, text, cookie=None):
    request = urllib.request.Request(base + "/chat", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response), response.headers.get("Set-Cookie", "").split(";")[0]


def stop(proc, err) -> list[str]:
    proc.terminate()
    proc.wait(timeout=20)
    err.seek(0)
    return err.read().splitlines()


@pytest.fixture
def gunicorn_needed():
    if not (BIN / "gunicorn").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("gunicorn is required under CI")
        pytest.skip(f"gunicorn is not installed beside {sys.executable}")


def test_procfile_gunicorn_writes_the_apps_info_lines_to_stderr(gunicorn_needed, real_redis, session_redis, tmp_path):
    assert procfile_command().startswith("gunicorn ")
    proc, base, err = start(session_redis.url, tmp_path)
    try:
        answer, cookie = chat(base, "where can i get narcan")
        assert answer["topic"] == "naloxone"
        chat(base, "i want to talk to staff", cookie)
    finally:
        lines = stop(proc, err)
    token = cookie.split("=", 1)[1]
    answered = [line for line in lines
                if re.search(r" INFO bot\.conversation\.conversations: answered channel=web sender=[0-9a-f]{8} "
                             r"kind=answer topic=naloxone ", line)]
    assert len(answered) == 1, "\n".join(lines)
    assert any(re.search(r" INFO bot\.conversation\.conversations: escalated conversation=[A-Z][a-z]+ [A-Z][a-z]+ \d+ reason=staff "
                         r"channel=web$", line) for line in lines), "\n".join(lines)
    assert not any(token in line or "narcan" in line for line in lines), "no token, no words in the log"


def test_log_level_from_the_environment(gunicorn_needed, real_redis, session_redis, tmp_path):
    proc, base, err = start(session_redis.url, tmp_path, LOG_LEVEL="WARNING")
    try:
        chat(base, "where can i get narcan")
    finally:
        lines = stop(proc, err)
    assert not any("answered channel=" in line for line in lines), "\n".join(lines)


def test_a_traceback_stays_on_its_records_line():
    import logging

    from bot.logs import FORMAT, OneLineFormatter
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        record = logging.LogRecord("bot.test", logging.ERROR, __file__, 1, "failed\nhere", None, sys.exc_info())
    line = OneLineFormatter(FORMAT).format(record)
    assert "\n" not in line and "failed | here" in line and "ValueError: first | second" in line

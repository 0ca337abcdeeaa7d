"""The Procfile's gunicorn with a real redis-server: a worker killed (SIGKILL) during traffic loses
nothing that was acknowledged. Unanswered webhooks are retried, as Twilio does, and answered once."""
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.inbox import Inbox
from bot.sealed import Sealer
from tests.conftest import IN_CI, ROOT
from tests.redis_server import free_port

TOKEN = "kill-test-token-0123456789"


def workers_of(master: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{master}\n" in status.read_text():
                out.append(int(status.parent.name))
        except OSError:
            pass
    return out


@pytest.fixture
def gunicorn(own_redis, tmp_path):
    gun = Path(sys.executable).parent / "gunicorn"
    if not gun.exists() and not shutil.which("gunicorn"):
        if IN_CI:
            pytest.fail("gunicorn is required under CI")
        pytest.skip("gunicorn is not installed")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procfile = (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "REDIS_URL": own_redis.url,
           "BOT_SECRET_KEY": "s" * 64, "BOT_ADDRESS_KEY": "ab" * 32, "PUBLIC_URL": base, "TWILIO_AUTH_TOKEN": TOKEN,
           "BOT_SPOOL_DIR": str(tmp_path / "spool"), "PATH": f"{gun.parent}:{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen(["bash", "-c", f"exec {procfile} --log-level warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/ping", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    yield proc, base
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def deliver(base, form, attempts=20):
    """POST like Twilio: retry the same message (same MessageSid) until it is acknowledged."""
    signature = RequestValidator(TOKEN).compute_signature(base + "/sms", form)
    data = urllib.parse.urlencode(form).encode()
    for _ in range(attempts):
        request = urllib.request.Request(base + "/sms", data=data, headers={"X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return [m.text or "" for m in ET.fromstring(response.read()).iter("Message")]
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise AssertionError("never acknowledged")


def test_killed_worker_loses_nothing_acknowledged(gunicorn, own_redis):
    proc, base = gunicorn
    acknowledged, kills = set(), 0
    for i in range(60):
        sender = f"+1780557{i:04d}"
        form = {"MessageSid": f"SM{i:032d}", "AccountSid": "AC" + "1" * 32, "From": sender, "To": "+15550001111",
                "Body": "my friend is not breathing" if i % 2 else "i want to talk to staff", "NumMedia": "0"}
        if i in (15, 35):
            victims = workers_of(proc.pid)
            assert victims, "gunicorn has workers to kill"
            os.kill(victims[0], signal.SIGKILL)
            kills += 1
        messages = deliver(base, form)
        if messages:      # the first delivery was answered: the texter heard the safety reply and the notice
            assert len(messages) == 2, messages
            acknowledged.add(sender)
    inbox = Inbox(own_redis.client(), Sealer(bytes.fromhex("ab" * 32)), 3600)
    in_inbox = inbox.listing()
    assert kills == 2 and len(acknowledged) >= 58
    assert len(in_inbox) == 60, f"{len(in_inbox)} conversations for 60 escalating texters"
    opened = {inbox.address(c["id"])[1] for c in in_inbox}
    assert acknowledged <= opened, "every acknowledged escalation is in the inbox"

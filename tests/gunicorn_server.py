"""The Procfile's gunicorn (several sync workers) against a test's own redis-server, and a client that
delivers like Twilio: the same signed MessageSid again until a delivery is acknowledged."""
import json
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

from bot.inbox.inbox import Inbox
from bot.privacy.sealed import Sealer
from tests.helpers.common import IN_CI, ROOT
from tests.redis_server import free_port

TOKEN = "kill-test-token-0123456789"
TELEGRAM_SECRET = "kill-test-secret"
ADDRESS_KEY = "ab" * 32
TWILIO_TIMEOUT = 15      # seconds Twilio waits for a webhook's answer


def workers_of(master: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{master}\n" in status.read_text():
                out.append(int(status.parent.name))
        except OSError:
            pass
    return out


class Gunicorn:
    def __init__(self, redis_url: str, spool: Path, workers: int = 3, **env):
        gun = Path(sys.executable).parent / "gunicorn"
        if not gun.exists() and not shutil.which("gunicorn"):
            if IN_CI:
                pytest.fail("gunicorn is required under CI")
            pytest.skip("gunicorn is not installed")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.spool = spool
        procfile = (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
        self.env = {**os.environ, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers), "REDIS_URL": redis_url,
                    "BOT_SECRET_KEY": "s" * 64, "BOT_ADDRESS_KEY": ADDRESS_KEY, "PUBLIC_URL": self.base,
                    "TWILIO_AUTH_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "BOT_SPOOL_DIR": str(spool),
                    # gunicorn's control socket is $XDG_RUNTIME_DIR/gunicorn.ctl (else ~/.gunicorn/): one per
                    # server, or two at once (xdist workers, two test runs) take each other's.
                    "XDG_RUNTIME_DIR": str(spool.parent),
                    "PATH": f"{gun.parent}:{os.environ.get('PATH', '')}", **env}
        self.log = spool.parent / f"gunicorn-{self.port}.log"
        # The Procfile's command as a platform runs it (bash expands ${PORT:-5000} and friends).
        self.proc = subprocess.Popen(["bash", "-c", f"exec {procfile} --log-level warning"], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.wait_ready(workers)

    def wait_ready(self, workers: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/ping", timeout=1).read()
                if len(workers_of(self.proc.pid)) >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not come up")

    def workers(self) -> list[int]:
        return workers_of(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def errors(self) -> str:
        return self.log.read_text(errors="replace")


def sms_form(i: int, body: str, sender: str) -> dict:
    return {"MessageSid": f"SM{i:032d}", "AccountSid": "AC" + "1" * 32, "From": sender, "To": "+15550001111",
            "Body": body, "NumMedia": "0"}


def deliver(base: str, form: dict, attempts: int = 30) -> tuple[list[str], int]:
    """POST like Twilio: the same message (same MessageSid) again until it is acknowledged.
    Returns (the <Message> texts of the acknowledged answer, how many attempts failed first)."""
    signature = RequestValidator(TOKEN).compute_signature(base + "/sms", form)
    data = urllib.parse.urlencode(form).encode()
    for failed in range(attempts):
        request = urllib.request.Request(base + "/sms", data=data, headers={"X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=TWILIO_TIMEOUT) as response:
                return [m.text or "" for m in ET.fromstring(response.read()).iter("Message")], failed
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise AssertionError("never acknowledged")


def telegram_update(update_id: int, text: str, chat: int) -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1764000000, "text": text,
                                                "chat": {"id": chat, "type": "private"},
                                                "from": {"id": chat, "is_bot": False, "first_name": "T"}}}


def deliver_telegram(base: str, update: dict, attempts: int = 30) -> tuple[list[str], int]:
    """POST like Telegram: the same update again until a 2xx; returns ([the reply's text], failures)."""
    data = json.dumps(update).encode()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    for failed in range(attempts):
        request = urllib.request.Request(base + "/telegram", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TWILIO_TIMEOUT) as response:
                body = response.read()
                return ([json.loads(body)["text"]] if body else []), failed
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise AssertionError("never acknowledged")


def inbox_of(redis_server) -> Inbox:
    return Inbox(redis_server.client(), Sealer(bytes.fromhex(ADDRESS_KEY)), 3600)

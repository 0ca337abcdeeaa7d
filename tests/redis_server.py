"""A redis-server of the test's own, persisting with AOF into a temporary folder, that can be stopped,
killed and started again on the same port and files."""
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path, fsync: str = "always", persist: bool = True):
        # fsync "everysec" is what the README's deployment uses; "always" only where a test needs it.
        self.binary = shutil.which("redis-server")
        self.dir = Path(folder)
        self.port = free_port()
        self.fsync = fsync
        self.persist = persist
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A client made the way the app makes its own (bot.store.connection), retry settings included."""
        from bot.store import connection as store
        return store.connect(self.url)

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes" if self.persist else "no", "--appendfsync", self.fsync, "--save", "",
             "--logfile", str(self.dir / "redis.log"), "--enable-debug-command", "local"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        probe = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1)
        while time.monotonic() < deadline:
            try:
                if probe.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self, kill: bool = False) -> None:
        """Stop it: politely (SIGTERM, as a service manager would) or by SIGKILL, as a crash."""
        if self.process is None:
            return
        self.process.kill() if kill else self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def restart(self, kill: bool = False) -> None:
        self.stop(kill)
        self.start()

    def files(self) -> list[Path]:
        """Everything the server wrote to disk: AOF parts, manifest, log."""
        return [p for p in self.dir.rglob("*") if p.is_file()]

"""The REDIS_URL forms operators meet, against real servers the test starts on free loopback ports:
a Redis Sentinel (redis-server --sentinel) in front of a master, and a redis-server speaking TLS with
a self-signed certificate made here (rediss://)."""
import datetime as dt
import ipaddress
import shutil
import subprocess
import time

import pytest
import redis

from bot.config import ConfigError
from bot.store import connection as store
from tests.helpers.common import IN_CI
from tests.redis_server import RedisServer, free_port


def wait_for(check, what, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (redis.ConnectionError, redis.ResponseError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up")


@pytest.fixture
def redis_binary():
    if not shutil.which("redis-server"):
        if IN_CI:
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    return shutil.which("redis-server")


@pytest.fixture
def master(tmp_path, redis_binary):
    folder = tmp_path / "master"
    folder.mkdir()
    server = RedisServer(folder, persist=False).start()
    yield server
    server.stop()


@pytest.fixture
def sentinel(tmp_path, master, redis_binary):
    """A real Sentinel watching `master` as service "mymaster"; yields its port."""
    port = free_port()
    conf = tmp_path / "sentinel.conf"    # Sentinel rewrites its own config file: it must be writable
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\nlogfile {tmp_path / 'sentinel.log'}\n"
                    f"sentinel monitor mymaster 127.0.0.1 {master.port} 1\n"
                    "sentinel down-after-milliseconds mymaster 2000\n")
    process = subprocess.Popen([redis_binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    probe = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, decode_responses=True)
    try:
        wait_for(lambda: probe.execute_command("SENTINEL", "get-master-addr-by-name", "mymaster"), "Sentinel")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_sentinel_url_finds_the_master_and_the_app_runs_on_it(sentinel, master, engine, monkeypatch, tmp_path):
    url = f"redis+sentinel://127.0.0.1:{sentinel}/mymaster/0"
    client = store.connect(url)
    client.set("probe", "through sentinel")
    assert master.client().get("probe") == "through sentinel", "the write reached the master"

    from handlers.web import create_app
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("BOT_SECRET_KEY", "s" * 64)
    app = create_app({"ENGINE": engine, "TESTING": True, "BOT_SPOOL_DIR": str(tmp_path / "spool")})
    answer = app.test_client().post("/chat", json={"text": "where can i get narcan"}).get_json()
    assert answer["topic"] == "naloxone"
    assert master.client().keys("state:*"), "the app's state is on the master Sentinel named"
    assert app.test_client().get("/healthz").get_json()["store"] == "ok"


def test_sentinel_url_forms():
    s = store.sentinel_settings("redis+sentinel://:pa%40ss@10.0.0.5:26379,10.0.0.6/mymaster/3"
                                "?sentinel_password=sp&socket_timeout=1.5")
    assert s["sentinels"] == [("10.0.0.5", 26379), ("10.0.0.6", 26379)]
    assert (s["service"], s["db"], s["password"], s["sentinel_password"]) == ("mymaster", 3, "pa@ss", "sp")
    assert s["options"]["socket_timeout"] == 1.5 and s["ssl"] == {}
    tls = store.sentinel_settings("rediss+sentinel://h:26379/mymaster?ssl_ca_certs=/etc/ca.pem")
    assert tls["ssl"] == {"ssl": True, "ssl_ca_certs": "/etc/ca.pem"} and tls["db"] == 0


@pytest.mark.parametrize("url", ["redis+sentinel://h:26379", "redis+sentinel://h:x/mymaster",
                                 "redis+sentinel://h:26379/mymaster/zero", "http://h:6379/0", "h:6379"])
def test_bad_urls_stop_start_up_with_a_clear_message(url):
    with pytest.raises(ConfigError, match="REDIS_URL"):
        store.connect(url)


# -- TLS ------------------------------------------------------------------------------------------

def self_signed(folder):
    """A CA and a server certificate for 127.0.0.1 signed by it, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {n: folder / f"{n}.pem" for n in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


@pytest.fixture
def tls_redis(tmp_path, redis_binary):
    """redis-server listening only on a TLS port (this build has TLS: `--tls-port` is checked first)."""
    pem = self_signed(tmp_path)
    port = free_port()
    process = subprocess.Popen([redis_binary, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
                                "--tls-cert-file", str(pem["cert"]), "--tls-key-file", str(pem["key"]),
                                "--tls-ca-cert-file", str(pem["ca"]), "--tls-auth-clients", "no", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path), "--logfile", str(tmp_path / "tls.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    if process.poll() is not None:
        log = (tmp_path / "tls.log").read_text() if (tmp_path / "tls.log").exists() else ""
        if "Bad directive" in log or "tls" in log.lower() and "not supported" in log.lower():
            if IN_CI:
                pytest.fail("this redis-server was built without TLS")
            pytest.skip("this redis-server was built without TLS")
        raise AssertionError("TLS redis-server did not start:\n" + log)
    probe = redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(pem["ca"]), socket_timeout=1)
    try:
        wait_for(probe.ping, "TLS redis-server")
        yield port, pem
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rediss_url_talks_tls_and_checks_the_certificate(tls_redis):
    port, pem = tls_redis
    client = store.connect(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={pem['ca']}")
    client.set("probe", "over tls")
    assert client.get("probe") == "over tls"
    assert client.connection_pool.connection_class.__name__ == "SSLConnection"

    # Without the CA that signed it, the certificate is refused: TLS here is not just encryption.
    untrusting = store.connect(f"rediss://127.0.0.1:{port}/0")
    with pytest.raises(redis.ConnectionError, match="(?i)certificate"):
        untrusting.ping()
    # And plain redis:// to a TLS-only port gets nowhere.
    with pytest.raises(redis.ConnectionError):
        store.connect(f"redis://127.0.0.1:{port}/0").ping()


def test_after_a_failover_the_same_client_reaches_the_new_master(tmp_path, master, redis_binary):
    """A replica, a Sentinel watching both, then the master killed (SIGKILL): Sentinel promotes the
    replica, and the client made from the redis+sentinel:// URL writes to it without being remade."""
    replica_port = free_port()
    (tmp_path / "replica").mkdir()
    replica = subprocess.Popen([redis_binary, "--port", str(replica_port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path / "replica"),
                                "--replicaof", "127.0.0.1", str(master.port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    conf = tmp_path / "sentinel-failover.conf"
    conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
                    f"sentinel monitor mymaster 127.0.0.1 {master.port} 1\n"
                    "sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 10000\n")
    sentinel = subprocess.Popen([redis_binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        to_replica = redis.Redis(host="127.0.0.1", port=replica_port, socket_timeout=1, decode_responses=True)
        wait_for(lambda: to_replica.info("replication").get("master_link_status") == "up", "replication")
        probe = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, decode_responses=True)
        wait_for(lambda: probe.execute_command("SENTINEL", "replicas", "mymaster"), "Sentinel seeing the replica")

        client = store.connect(f"redis+sentinel://127.0.0.1:{port}/mymaster/0")
        client.set("before", "1")
        # Replication is asynchronous: the write must have reached the replica before the crash, or a
        # real failover loses it too (that is Redis, not the client under test).
        wait_for(lambda: to_replica.get("before") == "1", "the write replicated")
        master.stop(kill=True)
        wait_for(lambda: int(probe.execute_command("SENTINEL", "get-master-addr-by-name", "mymaster")[1]) == replica_port,
                 "the failover", seconds=30)
        deadline, written = time.monotonic() + 15, False
        while not written and time.monotonic() < deadline:
            try:
                written = client.set("after", "2")
            except redis.ConnectionError:
                time.sleep(0.2)
        assert written, "the client never reached the new master"
        assert to_replica.get("after") == "2" and to_replica.get("before") == "1"
    finally:
        for process in (sentinel, replica):
            process.terminate()
            process.wait(timeout=10)

"""Load benchmark: the Procfile's gunicorn set-up against a real redis-server on loopback, driven by wrk
with signed Twilio requests and real Telegram updates (about 1% emergencies, 5% escalations).

    make bench-load            (or: .venv/bin/python bench/load.py [--seconds 20] [--workers 2])

Prints throughput, median and 99th-percentile latency, errors, memory per worker, the same server's
throughput on a trivial endpoint (/ping) in the same run and the ratio, then latency at a paced
~100 requests a second. Needs redis-server and wrk (Debian: apt-get install redis-server wrk).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

TOKEN = "bench-auth-token-0123456789abcdef"
SECRET = "bench_secret_0123456789"   # 16+ characters: the app refuses shorter secrets
QUESTIONS = ["where can i get narcan", "how do i use naloxone", "is it safe to mix benzos and alcohol",
             "what are fentanyl test strips", "how do i smoke safer", "what is xylazine", "tolerance after jail",
             "can i get free needles", "what to do if someone is too high on meth", "mdma and water",
             "is weed safe with alcohol", "how long does ghb last", "menu", "help", "thanks", "hi",
             "where can i test my drugs", "good samaritan law", "qwerty uiop", "je veux de la naloxone",
             "donde consigo naloxona", "recovery position", "abscess on my arm", "ketamine k hole"]
EMERGENCIES = ["my friend is not breathing", "he od'd and is turning blue", "she wont wake up after a shot"]
ESCALATIONS = ["i want to talk to staff", "can i talk to a real person"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick(rng) -> str:
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(EMERGENCIES)
    if roll < 0.06:
        return rng.choice(ESCALATIONS)
    return rng.choice(QUESTIONS)


def requests_for(count: int, base: str, seed: int) -> list[dict]:
    """Signed Twilio form posts and Telegram updates, each a new message id from one of many texters."""
    rng = random.Random(seed)
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        text = pick(rng)
        texter = rng.randrange(10 ** 6)
        if rng.random() < 0.7:
            form = {"MessageSid": f"SM{seed:04d}{i:028d}", "AccountSid": "AC" + "1" * 32, "From": f"+1780{texter:07d}",
                    "To": "+15550001111", "Body": text, "NumMedia": "0"}
            body = urllib.parse.urlencode(form)
            sig = validator.compute_signature(base + "/sms", form)
            out.append({"path": "/sms", "body": body, "headers": {
                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig}})
        else:
            update = {"update_id": seed * 10 ** 7 + i, "message": {
                "message_id": i + 1, "date": 1764000000, "text": text,
                "chat": {"id": 10 ** 8 + texter, "type": "private"},
                "from": {"id": 10 ** 8 + texter, "is_bot": False, "first_name": "T"}}}
            out.append({"path": "/telegram", "body": json.dumps(update), "headers": {
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}})
    return out


def lua_script(folder: Path, threads: int, per_thread: int, base: str, delay_ms: int = 0) -> Path:
    """A wrk script: each thread walks its own list of pre-signed requests, never repeating one."""
    folder.mkdir(parents=True, exist_ok=True)
    lua_script.runs = getattr(lua_script, "runs", 0) + 1
    for t in range(threads):
        reqs = requests_for(per_thread, base, seed=lua_script.runs * 100 + t)
        # One request a line (path, content type, auth header, its value, body): no tabs or newlines
        # occur in URL-encoded forms or in json.dumps output.
        with open(folder / f"reqs{t}.txt", "w") as f:
            for r in reqs:
                (ctype, auth_name, auth_value) = (r["headers"]["Content-Type"], *[
                    (k, v) for k, v in r["headers"].items() if k != "Content-Type"][0])
                f.write("\t".join([r["path"], ctype, auth_name, auth_value, r["body"]]) + "\n")
    script = folder / "mix.lua"
    script.write_text(f"""
local n = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
function init(args)
  reqs = {{}}
  for line in io.lines("{folder}/reqs" .. tid .. ".txt") do
    local path, ctype, name, value, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", path, {{["Content-Type"] = ctype, [name] = value}}, body)
  end
  i = 0
end
function request() i = i + 1; if i > #reqs then i = 1 end; return reqs[i] end
{"function delay() return " + str(delay_ms) + " end" if delay_ms else ""}
""")
    return script


def run_wrk(url: str, seconds: int, connections: int, threads: int, script: Path | None = None) -> dict:
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    done = subprocess.run(cmd + [url], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = 0
    socket_err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_err:
        errors += sum(int(x) for x in socket_err.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "errors": errors, "requests": requests, "raw": out}


def worker_pids(master_pid: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{master_pid}$", status.read_text(), re.M):
                pids.append(int(status.parent.name))
        except OSError:
            continue
    return pids


def worker_memory(master_pid: int) -> list[float]:
    """Resident memory (MiB) of each gunicorn worker: the master's children."""
    out = []
    for pid in worker_pids(master_pid):
        rss = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        out.append(int(rss.group(1)) / 1024 if rss else 0.0)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pids: dict, run) -> tuple[dict, dict]:
    """Run `run()` (a wrk run) and also return the CPU microseconds per request each process used."""
    before = {name: sum(cpu_seconds(p) for p in group) for name, group in pids.items()}
    children = os.times()
    result = run()
    after = os.times()
    used = {name: sum(cpu_seconds(p) for p in group) - before[name] for name, group in pids.items()}
    used["wrk"] = (after.children_user + after.children_system) - (children.children_user + children.children_system)
    return result, {name: seconds / max(result["requests"], 1) * 1e6 for name, seconds in used.items()}


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            print(f"{tool} is not installed (Debian: apt-get install {tool})", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="hrbot-load-"))
    redis_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(folder),
                              "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
                             stdout=subprocess.DEVNULL)
    procfile = (ROOT / "Procfile").read_text().split("web:", 1)[1].strip()
    env = {**os.environ, "PORT": str(web_port), "WEB_CONCURRENCY": str(args.workers),
           "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "BOT_SECRET_KEY": "b" * 64, "PUBLIC_URL": base,
           "TWILIO_AUTH_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "BOT_SPOOL_DIR": str(folder / "spool"),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    # The Procfile's command as a platform runs it (bash expands ${PORT:-5000} and friends).
    web = subprocess.Popen(["bash", "-c", f"exec {procfile} --log-level warning"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=open(folder / "gunicorn.log", "w"))
    try:
        wait_http(base + "/ping")
        threads = 2
        per_thread = 40000
        # Every run gets its own never-seen message ids, so no request is a cheap "already answered".
        run_wrk(base + "/ping", 3, args.connections, threads)                 # warm up both
        run_wrk(base + "/", 3, args.connections, threads, lua_script(folder / "warm", threads, 20000, base))
        pids = {"workers": worker_pids(web.pid), "redis-server": [redis.pid]}
        trivial, trivial_cpu = measured(pids, lambda: run_wrk(base + "/ping", args.seconds, args.connections, threads))
        script = lua_script(folder / "mix", threads, per_thread, base)
        mix, mix_cpu = measured(pids, lambda: run_wrk(base + "/", args.seconds, args.connections, threads, script))
        paced_script = lua_script(folder / "paced", threads, 8000, base, delay_ms=100)
        paced = run_wrk(base + "/", args.seconds, 10, threads, paced_script)
        memory = worker_memory(web.pid)
        ratio = mix["rps"] / trivial["rps"] if trivial["rps"] else 0.0
        print(f"gunicorn {args.workers} sync workers (Procfile), redis-server with AOF on loopback, wrk "
              f"{threads} threads x {args.connections} connections, {args.seconds} s each, {os.cpu_count()} cores")
        print(f"message mix (70% SMS / 30% Telegram, ~1% emergencies, ~5% escalations): "
              f"{mix['rps']:.0f} req/s, median {mix['p50']:.1f} ms, p99 {mix['p99']:.1f} ms, "
              f"errors {mix['errors']} of {mix['requests']}")
        print(f"trivial endpoint /ping, same server, same run:  {trivial['rps']:.0f} req/s, "
              f"median {trivial['p50']:.1f} ms, p99 {trivial['p99']:.1f} ms, errors {trivial['errors']}")
        print(f"ratio: the message mix runs at {ratio:.0%} of the trivial endpoint's throughput (target >= 60%)")
        print(f"paced load: {paced['rps']:.0f} req/s from 10 connections: median {paced['p50']:.1f} ms, "
              f"p99 {paced['p99']:.1f} ms (target < 50 ms at 100 req/s), errors {paced['errors']}")
        for label, cpu in (("message mix", mix_cpu), ("/ping", trivial_cpu)):
            print(f"CPU per request, {label}: " + ", ".join(f"{name} {us:.0f} us" for name, us in cpu.items())
                  + f" (total {sum(cpu.values()):.0f} us)")
        print("memory per worker: " + ", ".join(f"{m:.0f} MiB" for m in sorted(memory)))
        return 0 if mix["errors"] == 0 and paced["errors"] == 0 else 1
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

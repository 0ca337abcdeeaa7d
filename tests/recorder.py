"""A local HTTP server that stands in for the Twilio and Telegram APIs and records what arrives."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Recorder:
    def __init__(self):
        self.requests = []          # (method, path, params dict)
        self.updates = []           # what getUpdates hands out, once
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                kind = self.headers.get("Content-Type", "")
                params = json.loads(raw) if "json" in kind and raw else {k: v[0] for k, v in parse_qs(raw).items()}
                recorder.requests.append(("POST", self.path, params))
                status, body = recorder.respond(self.path, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def respond(self, path, params):
        if path.startswith("/2010-04-01/Accounts/") and path.endswith("/Messages.json"):
            sid = path.split("/")[3]
            return 201, {"sid": "SM" + "0" * 32, "account_sid": sid, "to": params.get("To"),
                         "from": params.get("From"), "body": params.get("Body"), "status": "queued",
                         "num_segments": "1", "direction": "outbound-api", "uri": path}
        method = path.rsplit("/", 1)[-1]
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "Test bot", "username": "test_bot",
                                                "can_join_groups": False, "can_read_all_group_messages": False,
                                                "supports_inline_queries": False}}
        if method == "sendMessage":
            return 200, {"ok": True, "result": {"message_id": len(self.requests), "date": 0,
                                                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                                                "text": params.get("text", "")}}
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return 200, {"ok": True, "result": updates}
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def calls(self, suffix):
        return [params for _, path, params in self.requests if path.endswith(suffix)]

    def wait_for(self, suffix, count=1, timeout=10.0):
        """The calls to `suffix` once there are at least `count` (sends made off the request's path
        arrive a little later); fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.calls(suffix)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} call(s) to {suffix} expected within {timeout}s, got {len(self.calls(suffix))}")
            time.sleep(0.02)
        return self.calls(suffix)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

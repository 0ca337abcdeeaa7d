"""Flask app factory. Gunicorn starts it from the Procfile; `python -m handlers serve` runs it locally."""
import datetime as dt
import hmac
import logging
import os
import sys

from flask import Flask, Request, Response, g, jsonify, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from redis.exceptions import RedisError

from bot import config as config_module
from bot import logs
from bot.config import ConfigError
from bot.editing.live import status as content_status
from bot.services import Services, build_services
from bot.store import metrics

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
# Secrets and vendor addresses: from the environment (or test_config), never from config.toml.
SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_BASE",
            "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE", "METRICS_TOKEN", "REDIS_URL",
            "BOT_ADDRESS_KEY", "STAFF_TELEGRAM_CHAT_ID", "BOT_SPOOL_DIR", "TRUSTED_PROXIES")
# Shortest secrets accepted at start-up (characters): a short one can be guessed, and BOT_SECRET_KEY is
# the key behind every hash and cookie.
MIN_SECRET = {"BOT_SECRET_KEY": 32, "TELEGRAM_WEBHOOK_SECRET": 16, "METRICS_TOKEN": 16}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
csrf = CSRFProtect()


class JSONSafeRequest(Request):
    """JSON nested too deep to parse (a RecursionError, which get_json(silent=True) lets through) is
    treated like any other body that is not JSON: the endpoint answers 400, never 500."""

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            self.on_json_loading_failed(None)


def check_secrets(values: dict) -> None:
    """Refuse to start with a secret short enough to guess, naming it and saying how to make one."""
    for name, least in MIN_SECRET.items():
        value = values.get(name) or ""
        if value and len(value) < least:
            raise ConfigError(f"{name} is {len(value)} characters; it must be at least {least}. Make one with: "
                              "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.request_class = JSONSafeRequest
    test_config = test_config or {}
    if os.environ.get("REDIS_URL") and not os.environ.get("BOT_SECRET_KEY") and "BOT_SECRET_KEY" not in test_config:
        # A random per-process key would give each worker different sender hashes and cookies, and
        # lose every conversation on restart: refuse rather than half-work.
        raise ConfigError("BOT_SECRET_KEY must be set when REDIS_URL is: "
                           "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    check_secrets({"BOT_SECRET_KEY": test_config.get("BOT_SECRET_KEY", os.environ.get("BOT_SECRET_KEY", ""))})
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12), WTF_CSRF_TIME_LIMIT=None)
    for name in SETTINGS:
        app.config[name] = os.environ.get(name, "")
    app.config.update(test_config)
    check_secrets(app.config)
    if app.config["TRUSTED_PROXIES"]:
        # Behind N proxies the client's address is in X-Forwarded-For: /chat's rate limit and the login
        # throttle need the real one, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix
        if not str(app.config["TRUSTED_PROXIES"]).isdigit():
            raise ConfigError(f"TRUSTED_PROXIES must be a number of proxies, like 1 (got {app.config['TRUSTED_PROXIES']!r})")
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]))  # type: ignore[method-assign]  # Flask's documented way
    # Content reloads itself when its files change, except for a test's ready-made engine.
    config_path = test_config.get("CONFIG_PATH") or (None if "ENGINE" in test_config else
                                                      os.environ.get("BOT_CONFIG") or config_module.DEFAULT_PATH)
    engine = app.config.get("ENGINE")
    cfg = engine.config if engine else config_module.load(config_path)
    if not app.config.get("TESTING"):
        # Under gunicorn nothing else gives the root logger a handler: the app's lines would vanish.
        logs.setup(cfg.log_level)
    services = build_services(cfg, engine=engine, config_path=config_path, live=config_path is not None,
                              reload_seconds=float(test_config.get("RELOAD_SECONDS", 2.0)),
                              redis=app.config.get("REDIS"), redis_url=app.config["REDIS_URL"],
                              master_key=test_config.get("BOT_SECRET_KEY"), address_key_hex=app.config["BOT_ADDRESS_KEY"],
                              spool_dir=app.config["BOT_SPOOL_DIR"] or None)
    if "SECRET_KEY" not in test_config:
        app.config["SECRET_KEY"] = services.session_key
    app.config["PUBLIC_URL"] = app.config.get("PUBLIC_URL") or cfg.public_url
    # Staff session cookies travel only over HTTPS wherever the app has a public HTTPS address.
    app.config["SESSION_COOKIE_SECURE"] = test_config.get("SESSION_COOKIE_SECURE", app.config["PUBLIC_URL"].startswith("https://"))
    # The in-process store only: with a real Redis, accounts are made on the command line alone.
    if services.embedded:
        _first_run_admin(services.users)
    services = _attach_senders(app, services)
    services.conversations.notify = _staff_notifier(app, services)
    # The one object graph every handler reads (handlers/services.py), built once above.
    app.extensions["services"] = services

    from handlers.channels import sms, telegram, webchat
    from handlers.staff import editor
    from handlers.staff import inbox as inbox_pages
    csrf.init_app(app)
    app.register_blueprint(webchat.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(telegram.bp)
    app.register_blueprint(inbox_pages.bp)
    app.register_blueprint(editor.bp)
    csrf.exempt(sms.bp)        # signed by Twilio instead
    csrf.exempt(telegram.bp)   # checked by the secret token instead
    csrf.exempt(webchat.bp)    # JSON from the page, no login; its cookie is SameSite=Strict

    @app.before_request
    def pick_up_content_edits():
        if services.live is not None:
            services.live.maybe_reload()

    @app.context_processor
    def page_globals():
        shown = content_status(services.redis) if g.get("staff_user") else None
        return {"org": services.config.org_name, "content_status": shown}

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(("/inbox", "/login")):
            response.headers["Cache-Control"] = "no-store"
        if app.config["PUBLIC_URL"].startswith("https://"):
            # Browsers that have seen the site once never try it over plain HTTP again.
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        return Response(f"Refused: {error.description} Reload the page and try again.\n", 400, mimetype="text/plain")

    @app.get("/ping")
    def ping():
        """Liveness only (no store): also the load benchmark's trivial endpoint for comparison."""
        return Response("pong\n", mimetype="text/plain")

    @app.get("/healthz")
    def healthz():
        """Unhealthy (503) only when an escalation could be kept nowhere: Redis down and the spool not
        writable. Redis down with a working spool is degraded but still keeps every escalation."""
        store, why = services.conversations.health()
        if why is not None:
            log.error("unhealthy: %s", why)
            return jsonify(ok=False, store=store, reason=why), 503
        return {"ok": True, "store": store}

    @app.get("/metrics")
    def metrics_page():
        token = app.config["METRICS_TOKEN"]
        given = request.headers.get("Authorization", "").encode()
        if token and not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return Response("forbidden\n", 403, mimetype="text/plain")
        spool_lines = metrics.render_spool(services.spool.count(), services.spool.quarantined())
        return Response(metrics.render(services.redis) + spool_lines, mimetype="text/plain; version=0.0.4")

    @app.errorhandler(RedisError)
    def store_down(_):
        log.error("store unreachable while serving %s", request.path)
        return Response("The inbox's store is unreachable just now; try again in a minute.\n", 503,
                        mimetype="text/plain", headers={"Retry-After": "30"})

    @app.errorhandler(413)
    def too_large(_):
        return jsonify(error="message too large"), 413

    @app.errorhandler(404)
    def not_found(_):
        return jsonify(error="not found"), 404

    @app.errorhandler(405)
    def wrong_method(_):
        return jsonify(error="method not allowed"), 405

    return app


def _first_run_admin(users) -> None:
    """`make run` from a fresh clone: an account to see the inbox with, its password shown once here
    (never logged). The in-process store is gone when the process stops, and so is the account."""
    password = users.first_admin()
    if password:
        print("\n  First start with the built-in store: made a staff account to try the inbox.\n"
              f"    user name: admin\n    password:  {password}\n"
              "  Log in at /login. This password is shown only now and lasts until the bot stops.\n",
              file=sys.stderr, flush=True)


def _staff_notifier(app, services: Services):
    """Tell staff where they are (a Telegram staff chat) that an emergency is waiting: pseudonym only."""
    chat = app.config["STAFF_TELEGRAM_CHAT_ID"]
    sender, background = services.telegram_sender, services.background
    if not chat or sender is None or background is None:
        return None
    base = app.config["PUBLIC_URL"]

    def notify(conv):
        # Queued, not sent here: the texter's answer does not wait on Telegram.
        link = f"{base}/inbox/c/{conv['id']}" if base else f"/inbox/c/{conv['id']}"
        kind = "CRISIS" if conv["reason"] == "crisis" else "EMERGENCY"
        background.submit(f"staff alert for {conv['pseudonym']}", sender.call, "send_message", chat_id=int(chat),
                          text=f"{kind}: {conv['pseudonym']} ({conv['channel']}) needs a worker now. {link}")
    return notify


def _attach_senders(app, services: Services) -> Services:
    """The vendor senders (their SDKs stay on the web side), made from the app's credentials."""
    from handlers.channels.outbound import Background, Outbox, TelegramSender, TwilioSender, WebSender
    c = app.config
    twilio = telegram = None
    if c["TWILIO_ACCOUNT_SID"] and c["TWILIO_AUTH_TOKEN"] and c["TWILIO_FROM_NUMBER"]:
        twilio = TwilioSender(c["TWILIO_ACCOUNT_SID"], c["TWILIO_AUTH_TOKEN"], c["TWILIO_FROM_NUMBER"], c["TWILIO_API_BASE"])
    if c["TELEGRAM_BOT_TOKEN"]:
        telegram = TelegramSender(c["TELEGRAM_BOT_TOKEN"], c["TELEGRAM_API_BASE"])
    # Replies to the web page need no credentials: they wait in the store for the page to fetch.
    web = WebSender(services.web_mailbox, services.sender_key)
    outbox = Outbox(services.conversations, services.sender_key, twilio, telegram, web)
    return services.with_senders(outbox, telegram, Background())

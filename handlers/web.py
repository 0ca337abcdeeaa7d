"""Flask app factory. Gunicorn starts it from the Procfile; `python -m bot serve` runs it locally."""
import logging
import secrets

from flask import Flask, jsonify, render_template, request, session

from bot import store
from bot.conversation import Conversations, build_engine
from bot.identity import secret_key, sender_key
from bot.messages import Message

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(),
        MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config:
        app.config.update(test_config)
    engine = app.config.get("ENGINE") or build_engine(app.config.get("BOT_CONFIG"))
    redis = app.config.get("REDIS") or store.connect(app.config.get("REDIS_URL"))
    app.extensions["conversations"] = Conversations(engine, redis)
    app.extensions["engine"] = engine
    app.extensions["redis"] = redis
    app.extensions["key"] = app.config["SECRET_KEY"] if isinstance(app.config["SECRET_KEY"], bytes) else str(app.config["SECRET_KEY"]).encode()

    @app.get("/")
    def chat_page():
        return render_template("chat.html", org=engine.config.org_name, emergency=engine.config.emergency_number)

    @app.post("/chat")
    def chat_message():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return jsonify(error="send JSON like {\"text\": \"your question\"}"), 400
        channel = data.get("channel") if data.get("channel") in ("sms", "telegram", "whatsapp") else "web"
        if "visitor" not in session:
            # A random id in a signed cookie: the page's conversation, tied to no identity.
            session["visitor"] = secrets.token_hex(16)
        sender = sender_key("web", session["visitor"], app.extensions["key"])
        reply = app.extensions["conversations"].handle(Message(data["text"], channel=channel, sender=sender))
        return jsonify(reply.as_dict())

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.errorhandler(413)
    def too_large(_):
        return jsonify(error="message too large"), 413

    return app

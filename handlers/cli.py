"""The commands that need the web app: `python -m handlers serve` and `python -m handlers telegram ...`.

They live on the web side so that bot/ never imports Flask or handlers (`python -m bot` keeps ask, chat,
users and content check, which need only the engine and the store).

Usage:
  python -m handlers serve [--host 127.0.0.1] [--port 5000]
  TELEGRAM_BOT_TOKEN=... TELEGRAM_WEBHOOK_SECRET=... PUBLIC_URL=https://bot.example.org \\
      python -m handlers telegram set-webhook [--url URL]
  TELEGRAM_BOT_TOKEN=... python -m handlers telegram poll     # try the bot locally, no public URL needed
"""
import logging
import os
import sys
import time

import click

from bot import logs
from bot.config import ConfigError
from bot.content.load import ContentError

log = logging.getLogger(__name__)


@click.group(help="Run the web app, or register the Telegram webhook.")
def cli() -> None:
    logs.setup("INFO")


@cli.command(help="Run the web app with a chat page at /.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    from handlers.web import create_app

    try:
        app = create_app()
    except (ConfigError, ContentError) as exc:
        click.echo(f"cannot start: {exc}", err=True)
        sys.exit(2)
    # The pages poll every few seconds; a request line each would bury the bot's own lines.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    click.echo(f"Open http://{host}:{port}/ to talk to the bot. Ctrl-C stops it.")
    app.run(host=host, port=port)


@cli.command(help="Register the Telegram webhook (set-webhook), or poll locally (poll).")
@click.argument("action", type=click.Choice(["set-webhook", "poll"]))
@click.option("--url", help="public base URL (default: PUBLIC_URL or web.public_url)")
@click.option("--timeout", default=25, type=int, hidden=True)
@click.option("--rounds", default=0, type=int, hidden=True)
def telegram(action: str, url: str | None, timeout: int, rounds: int) -> None:
    from handlers.channels.outbound import TelegramSender
    from handlers.web import create_app

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        click.echo("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", err=True)
        sys.exit(2)
    sender = TelegramSender(token, os.environ.get("TELEGRAM_API_BASE", ""))
    if action == "set-webhook":
        sys.exit(_set_webhook(sender, url))
    sys.exit(_poll(create_app(), sender, timeout, rounds))


def _set_webhook(sender, url: str | None) -> int:
    from bot import config as config_module
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    public = url or config_module.load().public_url
    if not secret or not public:
        click.echo("set TELEGRAM_WEBHOOK_SECRET and PUBLIC_URL (or web.public_url, or --url)", err=True)
        return 2
    if len(secret) < 16:   # the app refuses to start with it too (handlers/web.py MIN_SECRET)
        click.echo(f"TELEGRAM_WEBHOOK_SECRET is {len(secret)} characters; it must be at least 16: "
                   "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'", err=True)
        return 2
    hook = public.rstrip("/") + "/telegram"
    sender.call("set_webhook", url=hook, secret_token=secret,
                allowed_updates=["message", "edited_message", "callback_query"])
    click.echo(f"webhook set to {hook}")
    return 0


def _poll(app, sender, timeout: int, rounds: int) -> int:
    """Long-poll getUpdates and answer through the same translation the webhook uses."""
    from handlers.channels.telegram import answer_update

    sender.call("delete_webhook")
    offset = None
    click.echo("polling Telegram; Ctrl-C stops")
    done = 0
    while rounds == 0 or done < rounds:
        done += 1
        try:
            updates = sender.call("get_updates", offset=offset, timeout=timeout)
        except KeyboardInterrupt:
            return 0
        except Exception as exc:
            log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
            time.sleep(2)
            continue
        for update in updates:
            offset = update.update_id + 1
            with app.app_context():
                chat_id, call = answer_update(app, update)
            if call:
                sender.call("send_message", chat_id=chat_id, text=call["text"], reply_markup=call.get("reply_markup"))
    return 0

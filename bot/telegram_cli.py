"""`python -m bot telegram set-webhook` and `python -m bot telegram poll`.

Usage:
  TELEGRAM_BOT_TOKEN=... TELEGRAM_WEBHOOK_SECRET=... PUBLIC_URL=https://bot.example.org \\
      python -m bot telegram set-webhook
  TELEGRAM_BOT_TOKEN=... python -m bot telegram poll     # try the bot locally, no public URL needed
"""
import logging
import os
import sys
import time

log = logging.getLogger(__name__)


def main(args) -> int:
    # The web side builds the app; imported here, at the edge, so bot/ itself stays framework-free.
    from handlers.channels.outbound import TelegramSender
    from handlers.web import create_app

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        print("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    sender = TelegramSender(token, os.environ.get("TELEGRAM_API_BASE", ""))
    if args.action == "set-webhook":
        return _set_webhook(sender, args)
    return _poll(create_app(), sender, args)


def _set_webhook(sender, args) -> int:
    from bot import config as config_module
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    public = args.url or config_module.load().public_url
    if not secret or not public:
        print("set TELEGRAM_WEBHOOK_SECRET and PUBLIC_URL (or web.public_url, or --url)", file=sys.stderr)
        return 2
    if len(secret) < 16:   # the app refuses to start with it too (handlers/web.py MIN_SECRET)
        print(f"TELEGRAM_WEBHOOK_SECRET is {len(secret)} characters; it must be at least 16: "
              "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'", file=sys.stderr)
        return 2
    url = public.rstrip("/") + "/telegram"
    sender.call("set_webhook", url=url, secret_token=secret,
                allowed_updates=["message", "edited_message", "callback_query"])
    print(f"webhook set to {url}")
    return 0


def _poll(app, sender, args) -> int:
    """Long-poll getUpdates and answer through the same translation the webhook uses."""
    from handlers.channels.telegram import answer_update

    sender.call("delete_webhook")
    offset = None
    print("polling Telegram; Ctrl-C stops", flush=True)
    rounds = 0
    while args.rounds == 0 or rounds < args.rounds:
        rounds += 1
        try:
            updates = sender.call("get_updates", offset=offset, timeout=args.timeout)
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

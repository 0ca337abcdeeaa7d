"""Command line: ask one question, chat in the terminal, manage staff users, check the content.
(The web app and Telegram commands need Flask: `python -m handlers serve|telegram`.)

Usage:
  python -m bot ask [--json] [--lang L] [--channel sms|telegram|whatsapp] [MESSAGE]
  python -m bot chat [--channel sms] [--log FILE]
  python -m bot users add NAME [--role staff|editor|admin] | list | remove NAME | role NAME ROLE | unlock NAME
  python -m bot content check [--strict] [--content DIR] [--config FILE]
"""
import argparse
import json
import logging
import secrets
import sys

from bot.config import ConfigError
from bot.content.load import ContentError
from bot.messages import Message
from bot.store.state import State


def _ask(args, engine) -> int:
    def answer(text):
        reply = engine.reply(Message(text, channel=args.channel, lang=args.lang), State())
        return json.dumps(reply.as_dict(), ensure_ascii=False) if args.json else reply.text

    if args.message:
        print(answer(" ".join(args.message)))
        return 0
    for line in sys.stdin:
        print(answer(line.rstrip("\n")).replace("\n", " ") if not args.json else answer(line.rstrip("\n")), flush=True)
    return 0


def _chat_logging(args) -> None:
    """The conversation owns the terminal: log lines go to --log FILE, and only warnings and errors
    (or LOG_LEVEL's level) reach stderr."""
    from bot import logs
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if args.log:
        logs.setup("INFO", filename=args.log)
    else:
        logs.setup("WARNING")


def _chat(args, engine) -> int:
    from bot.conversation.conversations import Conversations
    from bot.store import connection as store

    _chat_logging(args)
    conversations = Conversations(engine, store.connect("", quiet=True))
    sender = secrets.token_hex(8)
    print(f"Chatting with the bot ({args.channel} rules). Type a message; Ctrl-D or /quit to leave.")
    print("This terminal is not connected to staff: asking for a person here reaches no one.")
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() == "/quit":
            return 0
        reply = conversations.handle(Message(text, channel=args.channel, sender=sender, lang=args.lang))
        print(_shown(reply, conversations, sender))
        print()


def _shown(reply, conversations, sender) -> str:
    """What the texter would get, with a label where the bot is silent or only warns."""
    if reply.kind == "limited":
        per_minute = conversations.engine.config.messages_per_minute
        label = f"[rate limit: more than {per_minute} messages a minute; answers resume within the minute]"
        return f"{label}\n{reply.text}" if reply.text else f"(no reply: {label[1:-1]})"
    if not reply.text:
        if conversations.opted_out(sender):
            return "(no reply: you have opted out; text START to come back)"
        return "(no reply)"
    return "\n\n".join([reply.text, *reply.followups])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Anonymous harm-reduction info bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one message, or one per line from standard input")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--lang", choices=["en", "fr", "es"])
    ask.add_argument("--channel", default="sms", choices=["sms", "telegram", "whatsapp"])
    ask.add_argument("message", nargs="*")
    chat = sub.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--lang", choices=["en", "fr", "es"])
    chat.add_argument("--channel", default="sms", choices=["sms", "telegram", "whatsapp"])
    chat.add_argument("--log", metavar="FILE", help="write the bot's log lines (INFO) to FILE")
    from bot import users_cli
    users_cli.add_parser(sub)
    content = sub.add_parser("content", help="check the content folder: every problem with file, line and fix")
    content.add_argument("action", choices=["check"])
    content.add_argument("--strict", action="store_true", help="an overdue review date is an error, not a warning")
    content.add_argument("--content", metavar="DIR", help="content folder (default: the config's)")
    content.add_argument("--config", metavar="FILE", help="config file (default: BOT_CONFIG or config.toml)")
    args = parser.parse_args(argv)
    from bot import logs
    logs.setup("INFO")

    if args.command == "content":
        from bot.editing import check as content_check
        return content_check.main(args)
    if args.command == "users":
        from bot import users_cli
        return users_cli.main(args)
    from bot.conversation.conversations import build_engine
    try:
        engine = build_engine()
    except (ConfigError, ContentError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    return _ask(args, engine) if args.command == "ask" else _chat(args, engine)

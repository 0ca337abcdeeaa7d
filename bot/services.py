"""The one place the bot's object graph is built: config, engine, store, inbox, spool, keys, live reload.

The web app (handlers/web.py create_app) and the terminal chat (`python -m bot chat`) both call
build_services, so the two cannot drift apart in how a conversation is wired to the inbox, the spool
and the store. Plain Python: the vendor senders (Twilio, Telegram SDKs) are made on the web side and
attached afterwards with with_senders.
"""
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot import config as config_module
from bot.config import Config, ConfigError
from bot.conversation.conversations import Conversations, build_engine
from bot.editing.live import LiveEngine
from bot.engine.core import Engine
from bot.inbox.hours import StaffHours
from bot.inbox.inbox import Inbox
from bot.inbox.unanswered import Unanswered
from bot.inbox.users import Users
from bot.inbox.web_mailbox import WebMailbox
from bot.privacy.identity import derive, secret_key
from bot.privacy.scrub import Scrubber
from bot.privacy.sealed import Sealer
from bot.store import connection as store
from bot.store.spool import Spool
from bot.store.spool import default_folder as default_spool_folder


class Outbound(Protocol):
    """Sends what staff write to a texter, refusing anyone who opted out (handlers/channels/outbound.py Outbox)."""

    def send(self, channel: str, address: str, text: str, template_sid: str = "") -> str: ...


class Runner(Protocol):
    """Runs a call off the request path, logging a failure by `what` (handlers/channels/outbound.py Background)."""

    def submit(self, what: str, fn, *args, **kwargs) -> bool: ...


class BotApiSender(Protocol):
    """Runs one Telegram Bot API method (handlers/channels/outbound.py TelegramSender)."""

    def call(self, method: str, **kwargs) -> Any: ...


@dataclass(frozen=True)
class Services:
    """Everything a request or a terminal chat needs. Frozen: nothing swaps a part after start-up,
    except the engine, which a live content reload replaces on `conversations` (read it through
    `engine` and `config`, never keep a copy)."""
    conversations: Conversations
    redis: Any                      # redis.Redis, or fakeredis for the in-process store
    scrubber: Scrubber
    inbox: Inbox
    hours: StaffHours | None        # None: always staffed
    unanswered: Unanswered
    spool: Spool
    users: Users
    web_mailbox: WebMailbox
    sender_key: bytes               # hashes (channel, address) into a sender id
    client_address_key: bytes       # hashes a web client's IP address for its rate limit
    session_key: bytes              # signs the staff session cookie
    live: LiveEngine | None         # None: content is not reloaded when its files change
    embedded: bool                  # the in-process store (no REDIS_URL): gone when the process stops
    outbox: Outbound | None = None                  # attached by the web side (with_senders)
    telegram_sender: BotApiSender | None = None     # attached by the web side (with_senders)
    background: Runner | None = None                # staff alerts and callback answers, off the webhook's path

    @property
    def engine(self) -> Engine:
        return self.conversations.engine

    @property
    def config(self) -> Config:
        return self.conversations.engine.config

    def with_senders(self, outbox: Outbound | None, telegram_sender: BotApiSender | None,
                     background: Runner | None = None) -> "Services":
        return dataclasses.replace(self, outbox=outbox, telegram_sender=telegram_sender, background=background)


def build_services(config: Config | None = None, *, engine: Engine | None = None,
                   config_path: str | os.PathLike | None = None, live: bool = False, reload_seconds: float = 2.0,
                   redis=None, redis_url: str | None = None, master_key: bytes | str | None = None,
                   address_key_hex: str = "", spool_dir: str | os.PathLike | None = None,
                   connect_staff: bool = True) -> Services:
    """Build the whole object graph; raises ConfigError or ContentError.

    The engine is `engine`, or built from `config`, or from the file `config_path` (default: BOT_CONFIG
    or config.toml). `live` reloads content when the files behind `config_path` change. The store is
    `redis`, or connect(redis_url) (no URL: the in-process store). `master_key` is BOT_SECRET_KEY
    (default: the environment's, or a random one for this process); `address_key_hex` is
    BOT_ADDRESS_KEY. With `connect_staff=False` (the terminal chat) the conversations reach no inbox,
    spool or unanswered list: nobody is there to answer, and the texter is told so."""
    if engine is None:
        engine = build_engine(config or config_module.load(config_path))
    cfg = engine.config
    embedded = redis is None and not (redis_url if redis_url is not None else os.environ.get("REDIS_URL"))
    if redis is None:
        # The terminal chat is in-process by design: no warning about a store that does not persist.
        redis = store.connect(redis_url, quiet=not connect_staff)
    master = master_key or secret_key()
    master = master.encode() if isinstance(master, str) else master
    # Numbers and names texters type are taken out before anything is kept; the public numbers in
    # config.toml are not anyone's.
    scrubber = Scrubber(cfg.phone_region, cfg.numbers.values())
    inbox = Inbox(redis, Sealer(_address_key(address_key_hex, master)), int(cfg.conversation_hours * 3600),
                  scrub=scrubber)
    hours = StaffHours(cfg.staff_timezone, cfg.staff_hours) if cfg.staff_hours else None
    unanswered = Unanswered(redis, int(cfg.unanswered_days * 86400), scrub=scrubber)
    # Where escalations wait if Redis is down: local disk, sealed, drained when Redis is back.
    spool = Spool(spool_dir or default_spool_folder(), inbox.sealer, scrub=scrubber)
    if connect_staff:
        conversations = Conversations(engine, redis, inbox=inbox, hours=hours, unanswered=unanswered, spool=spool)
    else:
        conversations = Conversations(engine, redis)
    reloader = None
    if live:
        def serve(new_engine):
            conversations.engine = new_engine   # every reader goes through conversations.engine
        watched = Path(config_path or os.environ.get("BOT_CONFIG") or config_module.DEFAULT_PATH)
        reloader = LiveEngine(engine, watched, redis=redis, interval=reload_seconds, on_change=serve)
    return Services(conversations=conversations, redis=redis, scrubber=scrubber, inbox=inbox, hours=hours,
                    unanswered=unanswered, spool=spool, users=Users(redis, derive(master, "login")),
                    web_mailbox=WebMailbox(redis, inbox.ttl), sender_key=derive(master, "sender"),
                    client_address_key=derive(master, "client-address"), session_key=derive(master, "session"),
                    live=reloader, embedded=embedded)


def _address_key(value: str, master: bytes) -> bytes:
    """The key that seals texters' addresses: BOT_ADDRESS_KEY (64 hex characters) or one derived from the master."""
    if not value:
        return derive(master, "address")
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ConfigError("BOT_ADDRESS_KEY must be 64 hex characters (32 bytes): "
                           "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    return key

"""Messages the bot starts (staff replies, Telegram extras), sent through the vendors' own SDKs.

Every send goes through Outbox, which refuses anyone who has opted out. API addresses are
configurable so a local server can stand in for Twilio or Telegram.
"""
import asyncio
import logging
import os
import queue
import re
import threading
import time

from telegram import Bot
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.privacy.identity import sender_key
from bot.text.budgets import fit_for

log = logging.getLogger(__name__)
# The vendor SDKs log request payloads and URLs (phone numbers, chat ids, the bot token) at
# DEBUG and INFO. Those records must never be made, whatever level the root logger is at.
for _name in ("telegram", "twilio", "httpx", "httpcore", "urllib3", "hpack"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class _RedirectingHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to another base address (a test recorder or a proxy)."""

    def __init__(self, api_base: str):
        super().__init__(timeout=10)
        self.api_base = api_base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        url = re.sub(r"^https://[a-z.]*twilio\.com", self.api_base, url)
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: str = ""):
        http = _RedirectingHttpClient(api_base) if api_base else None
        self.client = Client(account_sid, auth_token, http_client=http)
        self.from_number = from_number

    def send(self, channel: str, address: str, text: str) -> None:
        sender = f"whatsapp:{self.from_number}" if channel == "whatsapp" else self.from_number
        self.client.messages.create(to=address, from_=sender, body=text)

    def send_template(self, channel: str, address: str, content_sid: str) -> None:
        """An approved WhatsApp template (its ContentSid): what may go after the 24-hour window."""
        self.client.messages.create(to=address, from_=f"whatsapp:{self.from_number}", content_sid=content_sid)


class TelegramSender:
    """One long-lived python-telegram-bot Bot on an event loop of its own (a daemon thread), shared by
    every request of this process: one getMe and one pool of HTTP connections, instead of both anew
    (and a getMe round trip to Telegram) for every message sent. Started on first use in each process,
    so a server that forks its workers after building the app gives each its own."""

    def __init__(self, token: str, api_base: str = ""):
        self.token = token
        self.api_base = api_base.rstrip("/") + "/bot" if api_base else "https://api.telegram.org/bot"
        self._lock = threading.Lock()
        self._pid = None
        self._loop = None
        self._thread = None
        self._bot = None
        self._ready = None      # an asyncio.Lock on the bot's loop: one getMe, even for concurrent first calls

    def _started(self):
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="telegram-bot", daemon=True)
                thread.start()
                self._loop, self._thread, self._pid = loop, thread, os.getpid()
                self._bot = Bot(self.token, base_url=self.api_base)
                self._ready = None
            return self._loop, self._bot

    def call(self, method: str, **kwargs):
        """Run one Bot API method (e.g. "send_message") through python-telegram-bot; from any thread."""
        loop, bot = self._started()

        async def run():
            if self._ready is None:
                self._ready = asyncio.Lock()
            async with self._ready:
                await bot.initialize()      # getMe the first time only; again after one that failed
            return await getattr(bot, method)(**kwargs)
        return asyncio.run_coroutine_threadsafe(run(), loop).result()

    def send(self, channel: str, address: str, text: str, reply_markup=None) -> None:
        self.call("send_message", chat_id=int(address), text=text, reply_markup=reply_markup)


class Background:
    """Sends that must not hold up a webhook's answer (an alert to the staff chat, stopping a Telegram
    button's spinner): one worker thread per process, a bounded queue, and failures logged (by kind and
    type only: never an address). When the queue is full the send is dropped and logged, rather than
    making a texter's answer wait."""

    def __init__(self, name: str = "outbound", size: int = 100):
        self.name = name
        self.size = size
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue | None = None

    def _started(self) -> queue.Queue:
        with self._lock:
            if self._pid != os.getpid() or self._queue is None:
                self._queue = queue.Queue(maxsize=self.size)
                threading.Thread(target=self._work, args=(self._queue,), name=self.name, daemon=True).start()
                self._pid = os.getpid()
            return self._queue

    def submit(self, what: str, fn, *args, **kwargs) -> bool:
        """Run fn(*args, **kwargs) soon, off this thread; False when it was dropped (queue full).
        `what` names it in the log: no identities."""
        try:
            self._started().put_nowait((what, fn, args, kwargs))
            return True
        except queue.Full:
            log.error("dropped %s: the background queue is full (%d waiting)", what, self.size)
            return False

    @staticmethod
    def _work(jobs: queue.Queue) -> None:
        while True:
            what, fn, args, kwargs = jobs.get()
            try:
                fn(*args, **kwargs)
            except Exception as exc:
                log.error("%s failed (%s)", what, type(exc).__name__)
            finally:
                jobs.task_done()

    def idle(self, timeout: float) -> bool:
        """Wait until everything submitted so far is done (or failed); False if `timeout` passed first."""
        jobs = self._queue
        deadline = time.monotonic() + timeout
        while jobs is not None and jobs.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


class WebSender:
    """The web page's texter: the reply waits in the store, under their keyed hash, for the page."""

    def __init__(self, mailbox, key: bytes):
        self.mailbox = mailbox
        self.key = key

    def send(self, channel: str, address: str, text: str) -> None:
        self.mailbox.deliver(sender_key(channel, address, self.key), "staff", text)


class Outbox:
    def __init__(self, conversations, key: bytes, twilio: TwilioSender | None, telegram: TelegramSender | None,
                 web: WebSender | None = None):
        self.conversations = conversations
        self.key = key
        self.senders = {"sms": twilio, "whatsapp": twilio, "telegram": telegram, "web": web}

    def send(self, channel: str, address: str, text: str, template_sid: str = "") -> str:
        """Send unless the person opted out: "sent", "opted_out", "not_configured" or "failed".
        With `template_sid` (WhatsApp only) the approved template goes instead of `text`."""
        sender = sender_key(channel, address, self.key)
        if self.conversations.opted_out(sender):
            log.info("not sent: recipient opted out channel=%s sender=%s", channel, sender[:8])
            return "opted_out"
        vendor = self.senders.get(channel)
        if vendor is None:
            log.error("not sent: channel %s is not configured (see README, connecting channels)", channel)
            return "not_configured"
        try:
            if template_sid:
                assert isinstance(vendor, TwilioSender)   # message templates are WhatsApp's (Twilio)
                vendor.send_template(channel, address, template_sid)
            else:
                vendor.send(channel, address, fit_for(channel, text))
        except Exception as exc:
            log.error("not sent: %s refused or failed (%s) sender=%s", channel, type(exc).__name__, sender[:8])
            return "failed"
        log.info("sent channel=%s sender=%s", channel, sender[:8])
        return "sent"

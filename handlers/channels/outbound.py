"""Messages the bot starts (staff replies, Telegram extras), sent through the vendors' own SDKs.

Every send goes through Outbox, which refuses anyone who has opted out. API addresses are
configurable so a local server can stand in for Twilio or Telegram.
"""
import asyncio
import logging
import re

from telegram import Bot
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.privacy.identity import sender_key
from bot.text import segments

log = logging.getLogger(__name__)
# The vendor SDKs log request payloads and URLs (phone numbers, chat ids, the bot token) at
# DEBUG and INFO. Those records must never be made, whatever level the root logger is at.
for _name in ("telegram", "twilio", "httpx", "httpcore", "urllib3", "hpack"):
    logging.getLogger(_name).setLevel(logging.WARNING)
TWILIO_BODY_LIMIT = 1600
TELEGRAM_TEXT_LIMIT = 4096


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
    def __init__(self, token: str, api_base: str = ""):
        self.token = token
        self.api_base = api_base.rstrip("/") + "/bot" if api_base else "https://api.telegram.org/bot"

    def call(self, method: str, **kwargs):
        """Run one Bot API method (e.g. "send_message") through python-telegram-bot."""
        async def run():
            async with Bot(self.token, base_url=self.api_base) as bot:
                return await getattr(bot, method)(**kwargs)
        return asyncio.run(run())

    def send(self, channel: str, address: str, text: str, reply_markup=None) -> None:
        self.call("send_message", chat_id=int(address), text=text, reply_markup=reply_markup)


class WebSender:
    """The web page's texter: the reply waits in the store, under their keyed hash, for the page."""

    def __init__(self, mailbox, key: bytes):
        self.mailbox = mailbox
        self.key = key

    def send(self, channel: str, address: str, text: str) -> None:
        self.mailbox.deliver(sender_key(channel, address, self.key), "staff", text)


def fit_for(channel: str, text: str) -> str:
    """The text as the channel can carry it: GSM-7 safe on SMS, within each vendor's limit."""
    if channel == "sms":
        text = segments.to_gsm7(text)
    limit = TELEGRAM_TEXT_LIMIT if channel == "telegram" else TWILIO_BODY_LIMIT
    if len(text) > limit:
        text = segments.split_sentences(text, limit)[0]
    return text


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

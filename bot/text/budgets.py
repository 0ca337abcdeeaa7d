"""How much one message may carry on each channel: the one place the channels' limits live.

Two kinds of limit: what the engine aims for in a reply (an SMS counted in segments, since each one
is paid for and arrives on its own), and what a vendor accepts at all (anything longer is refused,
so a text the bot did not compose, a staff reply or a notice, is cut to it before sending)."""
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.text import segments

# Twilio refuses a body over 1600 characters, SMS and WhatsApp alike.
TWILIO_BODY = 1600
TELEGRAM_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
TELEGRAM_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)   # bytes, not characters
# The web page and the terminal show what an SMS or WhatsApp texter would get, at most.
VENDOR_LIMITS = {"sms": TWILIO_BODY, "whatsapp": TWILIO_BODY, "telegram": TELEGRAM_TEXT,
                 "web": TWILIO_BODY, "cli": TWILIO_BODY}
# A reply never falls under this, however much is reserved (the MORE prompt): a part shorter than
# that says too little to be worth a message.
MIN_PART = 40


def reply_budget(channel: str, sms_segments: int, reserve: int = 0) -> int:
    """Characters (GSM-7 septets on SMS) one reply may use on `channel`, less `reserve`."""
    limit = segments.max_chars(sms_segments) if channel == "sms" else VENDOR_LIMITS.get(channel, TWILIO_BODY)
    return max(MIN_PART, limit - reserve)


def fits(text: str, channel: str, sms_segments: int) -> bool:
    """Whether the text goes as one reply: within `sms_segments` segments on SMS (as sent, GSM-7 safe)."""
    if channel == "sms":
        return segments.segment_count(segments.to_gsm7(text)) <= sms_segments
    return len(text) <= reply_budget(channel, sms_segments)


def fit_for(channel: str, text: str) -> str:
    """The text as the channel can carry it: GSM-7 safe on SMS, within each vendor's limit."""
    if channel == "sms":
        text = segments.to_gsm7(text)
    limit = VENDOR_LIMITS.get(channel, TWILIO_BODY)
    if len(text) > limit:
        text = segments.split_sentences(text, limit)[0]
    return text


def callback_data(text: str) -> str:
    """A Telegram button's data, cut to what Telegram accepts (counted in UTF-8 bytes)."""
    return text.encode("utf-8")[:TELEGRAM_CALLBACK_DATA].decode("utf-8", "ignore")

"""Translate Telegram updates to the bot's Message and its Reply back to a sendMessage call.

No web framework here, so the webhook and the local polling mode share it.
"""
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.messages import ReplyKind
from bot.text import budgets

# Telegram's slash commands, as the words the engine already understands.
COMMANDS = {"/start": "start", "/help": "help", "/menu": "menu", "/stop": "stop", "/more": "more",
            "/staff": "staff", "/delete": "delete", "/lang": "languages"}
LANGUAGE_BUTTONS = (("English", "en"), ("Français", "fr"), ("Español", "es"))


@dataclass(frozen=True)
class Incoming:
    chat_id: int
    text: str
    topic: str | None = None
    callback_id: str | None = None


def incoming(update: Update) -> Incoming | None:
    """What the person said or pressed; None for updates that carry nothing to answer."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat.id if query.message else query.from_user.id
        data = query.data or ""
        if data.startswith("t:"):
            return Incoming(chat, "", topic=data[2:], callback_id=query.id)
        if data.startswith("lang:"):
            return Incoming(chat, f"lang {data[5:]}", callback_id=query.id)
        return Incoming(chat, data, callback_id=query.id)   # "more", "menu"
    message = update.message or update.edited_message
    if message is None:
        return None
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        word = COMMANDS.get(command.split("@")[0].lower())
        if word == "languages" and rest.strip():
            text = f"lang {rest.strip().lower()}"
        elif word:
            text = word
    return Incoming(message.chat.id, text)


def keyboard(reply, more_label: str) -> InlineKeyboardMarkup | None:
    """Menus and "did you mean" as buttons; a MORE button when there is more to say."""
    rows = [[InlineKeyboardButton(f"{c.number}. {c.title}", callback_data=budgets.callback_data(f"t:{c.topic}"))] for c in reply.choices]
    if reply.kind == ReplyKind.LANGUAGES:
        rows.append([InlineKeyboardButton(name, callback_data=f"lang:{code}") for name, code in LANGUAGE_BUTTONS])
    if reply.has_more:
        rows.append([InlineKeyboardButton(more_label, callback_data="more")])
    return InlineKeyboardMarkup(rows) if rows else None


def send_message_call(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> dict:
    """A sendMessage call in the shape Telegram accepts as a webhook response."""
    call = {"method": "sendMessage", "chat_id": chat_id, "text": text}
    if markup is not None:
        call["reply_markup"] = markup.to_dict()
    return call

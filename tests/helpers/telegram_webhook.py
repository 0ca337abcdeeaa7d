"""Telegram's webhook as Telegram calls it: real update JSON, with the webhook's secret header."""
import itertools

from tests.helpers.common import TELEGRAM_SECRET

CHAT = 987654321
_ids = itertools.count(1000)


def user():
    return {"id": CHAT, "is_bot": False, "first_name": "Sam", "language_code": "en"}


def message_update(text, chat=CHAT, kind="message"):
    return {"update_id": next(_ids), kind: {
        "message_id": next(_ids), "date": 1764000000, "chat": {"id": chat, "type": "private", "first_name": "Sam"},
        "from": user(), "text": text,
        **({"edit_date": 1764000100} if kind == "edited_message" else {}),
        **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]} if text.startswith("/") else {}),
    }}


def callback_update(data):
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "from": user(), "chat_instance": "1", "data": data,
        "message": {"message_id": 5, "date": 1764000000, "chat": {"id": CHAT, "type": "private"},
                    "from": {"id": 42, "is_bot": True, "first_name": "Test bot"}, "text": "menu"}}}


def post(client, update, secret=TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/telegram", json=update, headers=headers)


def call_of(response):
    assert response.status_code == 200, response.data
    return response.get_json(silent=True)

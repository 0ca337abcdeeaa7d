"""The web side's way to reach the services create_app built once (bot/services.py): typed attributes,
not string keys."""
from flask import Flask, current_app

from bot.services import Services


def services(app: Flask | None = None) -> Services:
    """This app's services (the current app's, inside a request or an app context)."""
    return (app or current_app).extensions["services"]

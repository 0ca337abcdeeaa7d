"""The one thing kept that could reach a person, their address, is kept only sealed.

AES-256-GCM with a key from the environment; the conversation id is bound in as associated data,
so a sealed address moved to another conversation does not open. The sealed value lives under a
Redis key that expires with the conversation: after that there is nothing left to open.
"""
import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class Sealer:
    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ValueError("address key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        box = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + box).decode()

    def open(self, sealed: str, context: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()

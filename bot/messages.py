"""The one message type every channel turns its input into, and the one reply type it renders."""
from dataclasses import dataclass, field

CHANNELS = ("sms", "whatsapp", "telegram", "web", "cli")


@dataclass(frozen=True)
class Message:
    text: str
    channel: str = "cli"
    sender: str = ""            # a keyed hash from bot.privacy.identity, never a phone number or chat id
    lang: str | None = None     # a language the person chose explicitly, if any
    topic: str | None = None    # a topic picked from a button (Telegram), instead of typed text


@dataclass(frozen=True)
class Choice:
    number: int
    topic: str
    title: str


@dataclass
class Reply:
    text: str
    kind: str                   # answer, suggest, unknown, emergency, mixing, command, more, silent, empty
    lang: str
    topic: str | None = None
    emergency: bool = False
    escalate: bool = False
    confidence: float = 0.0
    choices: list[Choice] = field(default_factory=list)
    has_more: bool = False
    followups: list[str] = field(default_factory=list)   # sent after the reply, in order
    caution: bool = False       # led with the safety line: danger words, but not sure it is happening now

    def as_dict(self) -> dict:
        return {
            "topic": self.topic,
            "emergency": self.emergency,
            "escalate": self.escalate,
            "confidence": round(self.confidence, 3),
            "lang": self.lang,
            "kind": self.kind,
            "reply": self.text,
            "choices": [{"number": c.number, "topic": c.topic, "title": c.title} for c in self.choices],
            "more": self.has_more,
            "followups": list(self.followups),
            "caution": self.caution,
        }

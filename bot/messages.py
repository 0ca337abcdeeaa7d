"""The one message type every channel turns its input into, and the one reply type it renders."""
import re
from dataclasses import dataclass, field
from enum import StrEnum

CHANNELS = ("sms", "whatsapp", "telegram", "web", "cli")
# A topic's id (its file's name without .toml), as messages, menus and config name topics.
TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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


class ReplyKind(StrEnum):
    """What sort of reply this is. A StrEnum, so JSON, logs, metrics and stored replies see the same
    plain words as before ("answer", "suggest", ...)."""
    ANSWER = "answer"           # a topic's answer
    SUGGEST = "suggest"         # "did you mean": numbered close topics
    UNKNOWN = "unknown"         # no answer: the honest "I don't know", with the menu when it fits
    EMERGENCY = "emergency"     # emergency steps
    MIXING = "mixing"           # two or more substances together
    COMMAND = "command"         # MENU, HELP, START, STOP, a language, a bad number
    LANGUAGES = "languages"     # the list of languages to choose from (Telegram shows buttons)
    MORE = "more"               # the next part of a long answer
    DELETE = "delete"           # DELETE: the texter's data is erased
    SILENT = "silent"           # opted out: nothing is sent
    EMPTY = "empty"             # a message with no words in it
    LIMITED = "limited"         # too many messages a minute: refused (a warning once)


class Effect(StrEnum):
    """What the conversation layer must do beyond sending the reply; the engine decides, it carries out."""
    ERASE = "erase"             # forget everything kept about the texter, now
    OPT_OUT = "opt_out"         # send them nothing more until they text START
    OPT_IN = "opt_in"           # they came back (START after STOP)
    UNANSWERED = "unanswered"   # nothing answered this message: show it to the editors


class Escalation(StrEnum):
    """Why staff should see the conversation (the inbox orders by it)."""
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    STAFF = "staff"             # they asked for a person
    MISSES = "misses"           # several messages in a row without an answer


@dataclass
class Reply:
    text: str
    kind: ReplyKind
    lang: str
    topic: str | None = None
    emergency: bool = False
    escalation: Escalation | None = None    # set: staff are told, for this reason
    confidence: float = 0.0
    choices: list[Choice] = field(default_factory=list)
    has_more: bool = False
    followups: list[str] = field(default_factory=list)   # sent after the reply, in order
    caution: bool = False       # led with the safety line: danger words, but not sure it is happening now
    effects: frozenset[Effect] = frozenset()

    def __post_init__(self):
        # A reply read back from the store (or built by a test) may carry the plain words.
        self.kind = ReplyKind(self.kind)
        if self.escalation is not None:
            self.escalation = Escalation(self.escalation)
        self.effects = frozenset(Effect(e) for e in self.effects)

    @property
    def escalate(self) -> bool:
        return self.escalation is not None

    def as_dict(self) -> dict:
        return {
            "topic": self.topic,
            "emergency": self.emergency,
            "escalate": self.escalate,
            "confidence": round(self.confidence, 3),
            "lang": self.lang,
            "kind": self.kind.value,
            "reply": self.text,
            "choices": [{"number": c.number, "topic": c.topic, "title": c.title} for c in self.choices],
            "more": self.has_more,
            "followups": list(self.followups),
            "caution": self.caution,
        }

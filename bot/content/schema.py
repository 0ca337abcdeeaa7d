"""What each content file may contain: its sections, keys and their types.

A key or section not listed here is an error naming its dotted path and line (a topic with
`keywrods` would otherwise load without keywords and never be found). What needs more than one
file or the engine (examples routed to their topic, SMS budgets, translations) is checked by
bot/editing/check.py; emergency.toml's patterns are compiled and tried by its checks there.
"""
import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

from bot.messages import TOPIC_ID
from bot.tomlschema import Strict

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RISKS = ("dangerous", "unsafe", "caution", "low")


def _topic_id(value: str) -> str:
    if not TOPIC_ID.match(value):
        raise ValueError(f"must be lower-case words joined by dashes, like \"safer-smoking\", got {value!r}")
    return value


TopicId = Annotated[str, AfterValidator(_topic_id)]


class TopicSection(Strict):
    """[en], [fr] or [es] of a topic file: what the bot says in that language."""
    title: Text
    keywords: list[Text]
    examples: list[Text] = []
    answer: Text
    more: list[Text] = []
    emergency: Text | None = None
    # Sent instead of `emergency` when the texter says they themselves are overdosing.
    emergency_self: Text | None = None


class TopicFile(Strict):
    """content/topics/<id>.toml."""
    id: TopicId
    reviewed: dt.date
    related: list[Text] = []
    sources: list[Text]
    en: TopicSection
    fr: TopicSection | None = None
    es: TopicSection | None = None


class Commands(Strict):
    """Whole-message commands; a command left out has no words in that language."""
    help: list[Text] | None = None
    menu: list[Text] | None = None
    stop: list[Text] | None = None
    start: list[Text] | None = None
    more: list[Text] | None = None
    staff: list[Text] | None = None
    language: list[Text] | None = None
    languages: list[Text] | None = None
    delete: list[Text] | None = None


class Risks(Strict):
    """How each mixing risk is said; a missing one is reported by the content check."""
    dangerous: Text | None = None
    unsafe: Text | None = None
    caution: Text | None = None
    low: Text | None = None


class Stopwords(Strict):
    words: str = ""


Patterns = list[Text]   # regular expressions, searched in the normalised text (see content/emergency.toml)


class LanguageFile(Strict):
    """content/lang/<code>.toml. [text] and [shorthand] are open lists of names: the content check
    compares [text] with English's."""
    name: Text | None = None
    commands: Commands = Commands()
    text: dict[str, str] = {}
    risk: Risks = Risks()
    shorthand: dict[str, str] = {}
    joined: dict[str, str] = {}
    asks_for_person: Patterns = []
    stopwords: Stopwords = Stopwords()
    universal_steps_markers: dict[str, list[Text]] = {}


class MenuFile(Strict):
    """content/menu.toml."""
    topics: list[Text] = []


class SubstanceEntry(Strict):
    names: dict[str, Text]
    words: list[Text]
    not_words: list[Text] = []
    not_with: list[Text] = []    # words that, anywhere in the message, make `loose_words` not this substance
    loose_words: list[Text] = []


class PairEntry(Strict):
    a: Text
    b: Text
    risk: Literal["dangerous", "unsafe", "caution", "low"]
    note: dict[str, Text] = {}
    source: str = ""


class CombinationsFile(Strict):
    """content/combinations.toml: the mixing table."""
    reviewed: dt.date | None = None
    sources: list[Text] = []
    substances: dict[str, SubstanceEntry] = {}
    pairs: list[PairEntry] = []
    mixing_cues: dict[str, str] = {}
    contamination_cues: dict[str, str] = {}
    open_mixing_cues: dict[str, str] = {}




class EmergencyKind(Strict):
    """[kinds.<name>] of emergency.toml: which reply, and the words that name this kind."""
    topic: TopicId
    words: Text
    unless: Text | None = None       # words that cancel `words` ("which side")
    signs: Text | None = None        # signs of this kind whatever was taken (stimulant: heat, chest pain)
    with_upper: Text | None = None   # signs that are this kind when an upper is named (a seizure)
    about: TopicId | None = None     # the topic whose answer follows the steps (MORE), when not `topic`


class EmergencyLanguage(Strict):
    """[en], [fr] or [es] of emergency.toml: the concepts the rules read, as lists of patterns."""
    now: Patterns = []        # a danger sign said plainly: an alarm
    maybe: Patterns = []      # an alarm with a person or urgency (`urgent`) and no `info`
    urgent: Patterns = []
    info: Patterns = []
    colour: Patterns = []     # a colour of a person (not of `things`)
    things: Patterns = []
    calm: Patterns = []       # a question, a past event, a habit, a joke: the model must agree
    settled: Patterns = []    # "it's over, they're fine now": the model must be very sure
    law: Patterns = []        # police, warrants, papers: the Good Samaritan answer
    danger: Patterns = []     # danger words: the safety line when nothing is sure
    self: Patterns = []       # the texter is the one overdosing


class Vocabulary(Strict):
    words: str = ""


class EmergencyFile(Strict):
    """content/emergency.toml."""
    default_kind: Text = "opioid"
    law_topic: TopicId | None = None
    opioid_signs: Text | None = None
    collapse_signs: Text | None = None
    overdose_event: Text | None = None   # an overdose said to have happened to someone: lean to its topic
    other_drugs: Text | None = None
    kinds: dict[str, EmergencyKind] = {}
    # topic id -> the words that name its subject in an emergency ("tranq", "carfent", "G"): the
    # reply's MORE is about that topic (see content/emergency.toml [named]).
    named: dict[TopicId, Text] = {}
    en: EmergencyLanguage | None = None
    fr: EmergencyLanguage | None = None
    es: EmergencyLanguage | None = None
    vocabulary: Vocabulary = Vocabulary()

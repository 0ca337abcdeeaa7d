"""Load the editor-owned content folder into plain objects the engine reads."""
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.config import KNOWN_LANGUAGES
from bot.content.schema import (
    CombinationsFile,
    EmergencyFile,
    LanguageFile,
    MenuFile,
    TopicFile,
    TopicSection,
)
from bot.tomlschema import Lines
from bot.tomlschema import problems as schema_problems

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
RISKS = ("dangerous", "unsafe", "caution", "low")
OFF_TOPIC = "_off_topic"     # the training label for messages no topic answers


class ContentError(Exception):
    """Content that cannot be served; `problems` lists (file, line, message)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(f"{f}:{line}: {msg}" for f, line, msg in problems))


@dataclass
class TopicText:
    title: str
    keywords: list[str]
    examples: list[str]
    answer: str
    more: list[str] = field(default_factory=list)
    emergency: str = ""
    # Sent instead of `emergency` when the texter says they themselves are overdosing (the engine
    # decides that); their own steps, not a bystander's.
    emergency_self: str = ""


@dataclass
class Topic:
    id: str
    reviewed: dt.date
    related: list[str]
    sources: list[str]
    texts: dict[str, TopicText]
    path: Path

    def text(self, lang: str) -> tuple[TopicText, str]:
        """This topic's words in `lang`, or in English when not translated yet."""
        if lang in self.texts:
            return self.texts[lang], lang
        return self.texts["en"], "en"


@dataclass
class Language:
    code: str
    name: str
    commands: dict[str, list[str]]
    text: dict[str, str]
    risk: dict[str, str]
    shorthand: dict[str, str]
    stopwords: frozenset
    # Word starts that stand for a word run into the next ("jreste" is "je reste"): see _readings.
    joined: dict[str, str] = field(default_factory=dict)
    # A request for a person, whatever else the message is about ("talk to somebody real about methadone").
    asks_for_person: list[str] = field(default_factory=list)
    # Phrases the first SMS of an emergency text must contain, by field ("emergency",
    # "emergency_self") or by topic id; checked by the content check, never used to answer.
    steps: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Substance:
    id: str
    names: dict[str, str]
    words: list[str]
    not_words: list[str] = field(default_factory=list)   # phrases where a word is not this ("come down")
    # "how much water should I drink on molly": `loose_words` ("drink") don't name this substance in a
    # message with one of `not_with` ("water") anywhere in it.
    not_with: list[str] = field(default_factory=list)
    loose_words: list[str] = field(default_factory=list)


@dataclass
class Pair:
    a: str
    b: str
    risk: str
    note: dict[str, str]


@dataclass
class Content:
    topics: dict[str, Topic]
    languages: dict[str, Language]
    substances: dict[str, Substance]
    pairs: dict[frozenset, Pair]
    mixing_cues: dict[str, str]
    contamination_cues: dict[str, str]
    emergency: dict
    menu: list[str]
    # content/training/<lang>/: how people ask about each topic (topic id -> phrasings), and the
    # emergency example sets: (kind, text) that are emergencies, and texts that are not.
    training: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    emergencies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    not_emergencies: dict[str, list[str]] = field(default_factory=dict)
    # "what can I take with suboxone": one substance, the other left open (combinations.toml).
    open_mixing_cues: dict[str, str] = field(default_factory=dict)


def line_of(path: Path, needle: str) -> int:
    """The first line of `path` that mentions `needle`, for pointing an editor at a problem."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle and needle in line:
                return number
    except OSError:
        pass
    return 1


def _read(path: Path, problems: list) -> dict | None:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append((str(path), int(match.group(1)) if match else 1,
                         f"not valid TOML ({exc}); check quotes and brackets on that line"))
    except UnicodeDecodeError:
        problems.append((str(path), 1, "not UTF-8 text; save the file as UTF-8"))
    return None


def _validate(model, data: dict, path: Path, problems: list):
    """`data` checked against its schema (bot/content/schema.py), or None with every problem listed."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend((str(path), line, text) for line, text in schema_problems(exc, model, Lines(path)))
        return None


def _flat(text: str | None) -> str:
    """A text as sent: the line breaks of a multi-line TOML string are not the editor's meaning."""
    return " ".join((text or "").split())


def _topic_text(section: TopicSection) -> TopicText:
    return TopicText(
        title=_flat(section.title),
        keywords=list(section.keywords),
        examples=list(section.examples),
        answer=_flat(section.answer),
        more=[_flat(m) for m in section.more],
        emergency=_flat(section.emergency),
        emergency_self=_flat(section.emergency_self),
    )


def load_topic(path: Path, languages, problems: list) -> Topic | None:
    data = _read(path, problems)
    if data is None:
        return None
    file = _validate(TopicFile, data, path, problems)
    if file is None:
        return None
    if file.id != path.stem:
        problems.append((str(path), line_of(path, "id"), f"`id` is {file.id!r} but the file is {path.name}; make them the same"))
        return None
    return Topic(
        id=file.id,
        reviewed=file.reviewed,
        related=list(file.related),
        sources=list(file.sources),
        texts={lang: _topic_text(getattr(file, lang)) for lang in languages if getattr(file, lang, None) is not None},
        path=path,
    )


def load_language(path: Path, problems: list) -> Language | None:
    data = _read(path, problems)
    file = None if data is None else _validate(LanguageFile, data, path, problems)
    if data is None or file is None:
        return None
    return Language(
        code=path.stem,
        name=file.name or path.stem,
        # In the file's order: a phrase listed under two commands belongs to the first.
        commands={k: [_plain(w) for w in getattr(file.commands, k)] for k in data.get("commands", {})},
        text=dict(file.text),
        risk=file.risk.model_dump(exclude_none=True),
        shorthand=dict(file.shorthand),
        joined=dict(file.joined),
        asks_for_person=list(file.asks_for_person),
        stopwords=frozenset(_plain(file.stopwords.words).split()),
        steps={k: list(v) for k, v in file.universal_steps_markers.items()},
    )


def _plain(text: str) -> str:
    from bot.text.normalise import normalise_content
    return normalise_content(text)


def _load_combinations(path: Path, problems: list):
    data = _read(path, problems)
    file = None if data is None else _validate(CombinationsFile, data, path, problems)
    if file is None:
        return {}, {}, {}, {}
    substances = {}
    for sid, entry in file.substances.items():
        substances[sid] = Substance(sid, dict(entry.names), [_plain(w) for w in entry.words],
                                    [_plain(w) for w in entry.not_words], [_plain(w) for w in entry.not_with],
                                    [_plain(w) for w in entry.loose_words])
    pairs = {}
    for entry in file.pairs:
        a, b, risk = entry.a, entry.b, entry.risk
        where = line_of(path, f'"{b}"')
        if a not in substances or b not in substances:
            problems.append((str(path), where, f"pair {a} + {b}: both must be listed under [substances]"))
            continue
        key = frozenset((a, b))
        if key in pairs:
            problems.append((str(path), where, f"pair {a} + {b} is listed twice; keep one"))
        pairs[key] = Pair(a, b, risk, dict(entry.note))
    return substances, pairs, dict(file.mixing_cues), dict(file.contamination_cues), dict(file.open_mixing_cues)


def load(content_dir: Path, languages=KNOWN_LANGUAGES, placeholders=None) -> Content:
    """Read every content file; raise ContentError listing all problems if any file is unusable."""
    content_dir = Path(content_dir)
    problems: list = []
    langs = {}
    for code in languages:
        path = content_dir / "lang" / f"{code}.toml"
        if not path.exists():
            problems.append((str(path), 1, f"language file for {code!r} is missing; it must exist, or the language "
                                           "must be taken out of config.toml"))
            continue
        lang = load_language(path, problems)
        if lang is not None:
            langs[code] = lang
    topics = {}
    for path in sorted((content_dir / "topics").glob("*.toml")):
        topic = load_topic(path, languages, problems)
        if topic:
            topics[topic.id] = topic
    substances, pairs, cues, contamination, open_cues = _load_combinations(content_dir / "combinations.toml", problems)
    emergency = _read(content_dir / "emergency.toml", problems) or {}
    if _validate(EmergencyFile, emergency, content_dir / "emergency.toml", problems) is None:
        emergency = {}
    menu_file = _validate(MenuFile, _read(content_dir / "menu.toml", problems) or {}, content_dir / "menu.toml", problems)
    menu = list(menu_file.topics) if menu_file else []
    for topic_id in menu:
        if topic_id not in topics:
            problems.append((str(content_dir / "menu.toml"), line_of(content_dir / "menu.toml", topic_id),
                             f"menu lists {topic_id!r}, which has no topic file; fix the name or remove it from menu.toml"))
    training, emergencies, calm = load_training(content_dir / "training", languages, topics, emergency, problems)
    if placeholders is not None:
        problems.extend(_placeholder_problems(topics, langs, placeholders, content_dir))
    if problems:
        raise ContentError(problems)
    return Content(topics, langs, substances, pairs, cues, contamination, emergency, menu,
                   training, emergencies, calm, open_cues)


def _lines(path: Path, problems: list) -> list[tuple[int, str]]:
    """A phrasing file: one message a line; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append((str(path), 1, f"cannot be read ({exc}); save it as UTF-8 text"))
        return []
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def load_training(folder: Path, languages, topics, emergency_spec, problems):
    """content/training/<lang>/<topic id>.txt, _emergency.txt ("kind: message") and _not_emergency.txt."""
    training: dict = {}
    emergencies: dict = {}
    calm: dict = {}
    kinds = set(emergency_spec.get("kinds", {})) | {"self", "seizure"}
    for code in languages:
        lang_dir = folder / code
        if not lang_dir.is_dir():
            continue
        for path in sorted(lang_dir.glob("*.txt")):
            name = path.stem
            lines = _lines(path, problems)
            if name == "_emergency":
                for number, line in lines:
                    kind, sep, text = line.partition(":")
                    kind = kind.strip().lower()
                    if not sep or kind not in kinds or not text.strip():
                        problems.append((str(path), number, f"write each line as 'kind: message', kind one of "
                                                            f"{', '.join(sorted(kinds))}"))
                        continue
                    emergencies.setdefault(code, []).append((kind, text.strip()))
            elif name == "_not_emergency":
                calm.setdefault(code, []).extend(line for _, line in lines)
            elif name == "_off_topic":
                # Messages the line has no answer for (weather, homework, wrong numbers): they teach the
                # topic model what "none of these" looks like.
                training.setdefault(code, {}).setdefault(OFF_TOPIC, []).extend(line for _, line in lines)
            elif name in topics:
                training.setdefault(code, {}).setdefault(name, []).extend(line for _, line in lines)
            elif not (folder.parent / "topics" / f"{name}.toml").exists():   # else broken: its own problem says why
                problems.append((str(path), 1, f"there is no topic {name!r}: name the file after a topic id "
                                               f"(or _emergency.txt / _not_emergency.txt / _off_topic.txt)"))
    return training, emergencies, calm


_ASK_OPERATOR = "; fix the spelling, or ask whoever runs the bot to add it to [numbers] or [services] in config.toml"


def _placeholder_problems(topics, langs, placeholders, content_dir):
    for topic in topics.values():
        for lang, text in topic.texts.items():
            for field_name, value in [("answer", text.answer), ("emergency", text.emergency),
                                      ("emergency_self", text.emergency_self)] + [("more", m) for m in text.more]:
                for name in PLACEHOLDER.findall(value):
                    if name not in placeholders:
                        yield (str(topic.path), line_of(topic.path, "{" + name + "}"),
                               f"[{lang}] {field_name} uses {{{name}}}, which config.toml does not define{_ASK_OPERATOR}")
    for lang in langs.values():
        path = content_dir / "lang" / f"{lang.code}.toml"
        for key, value in lang.text.items():
            for name in PLACEHOLDER.findall(value):
                if name not in placeholders and name not in ("a", "b", "risk", "note", "back"):
                    yield (str(path), line_of(path, key), f"text `{key}` uses {{{name}}}, which config.toml does not define{_ASK_OPERATOR}")


def render(template: str, values: dict) -> str:
    """Fill {name} placeholders; anything unknown is left visible rather than guessed."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)

"""Check the content folder for editors: every problem with its file, line and what to change.

`check()` is plain Python: it never prints and never exits, so the running app can use it to refuse
a content reload that has errors. `python -m bot content check` (`main`) prints what it returns.

Errors stop content from going live (the bot would answer wrongly, or not fit an SMS); warnings
are worth fixing but do not block. What is checked, in order:
1. everything `bot.content.load.load()` refuses (bad TOML, missing or unknown fields, bad id, unknown
   {placeholders}, menu entries without a topic, broken mixing pairs); when loading fails the
   rest is not checked, since it needs the loaded content;
2. unknown top-level fields and sections in topic files (which `load()` silently ignores);
3. a keyword claimed by two topics in the same language;
4. every example phrase, run through the real engine: it must be answered by its own topic;
5. SMS budgets: the answer, the `emergency` text and each `more` part, with placeholders filled in,
   in GSM-7 segments (the answer also with the MORE prompt, a warning), MENU in every language as
   the engine sends it; and characters outside the GSM-7 alphabet (curly quotes, long dashes, emoji);
6. topics listed in config `[content] must_translate` missing a language;
7. `related` links to topics that do not exist;
8. `reviewed` dates in the future (error) or older than `review_max_days` (warning, error if strict);
9. emergency texts that do not start with {emergency}, emergency kinds naming a missing topic,
   patterns in emergency.toml and combinations.toml that are not valid, language files missing
   a text, sections without examples, and numbers written out instead of their {placeholder};
10. the first SMS of every emergency text carries the universal steps (the phrases each language
   file lists under [universal_steps_markers]), since a phone may show the second SMS late or never;
11. a French or Spanish section states the same facts as English: the same {placeholders} and the
   same numbers in the answer with its `more` parts, and in each emergency text.
It builds the engine once and routes every example (49 topics, about 1,080 examples at the last count);
most of its time is building the engine.
"""
import datetime as dt
import difflib
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.config import KNOWN_LANGUAGES
from bot.content.load import PLACEHOLDER, RISKS, ContentError, load, render
from bot.text import segments
from bot.text.normalise import normalise

ERROR, WARNING = "error", "warning"
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}
SECTION_FIELDS = ("title", "keywords", "examples", "answer", "more", "emergency", "emergency_self")
TOP_FIELDS = ("id", "reviewed", "related", "sources")
SENT_FIELDS = ("title", "answer", "more", "emergency", "emergency_self")   # what people actually receive
EMERGENCY_FIELDS = ("emergency", "emergency_self")
MIXING_TEXTS = ("mixing_known", "mixing_unknown")              # used without an English fallback

# Names a content editor recognises, for the characters word processors slip in.
_CHAR_NAMES = {
    "\u2018": "curly apostrophe", "\u2019": "curly apostrophe", "\u201a": "low curly quote",
    "\u201c": "curly quote", "\u201d": "curly quote", "\u201e": "low curly quote",
    "\u2013": "long dash (en dash)", "\u2014": "long dash (em dash)", "\u2212": "minus sign",
    "\u2026": "three-dot character", "\u00a0": "non-breaking space", "\u202f": "narrow non-breaking space",
    "\u2022": "bullet", "`": "backtick", "\u00b4": "accent mark", "\t": "tab",
}


@dataclass(frozen=True)
class Problem:
    file: str          # relative to the content folder's parent when possible: content/topics/x.toml
    line: int
    severity: str      # ERROR or WARNING
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


def format_problems(problems) -> list[str]:
    """One `path:line: error: message` line per problem."""
    return [str(p) for p in problems]


def summary(problems, topic_count: int) -> str:
    """`2 errors, 1 warning in 38 topics`."""
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors

    def plural(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(topic_count, 'topic')}"


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)


def topic_count(content_dir) -> int:
    return len(list((Path(content_dir) / "topics").glob("*.toml")))


def check(config, content_dir=None, today: dt.date | None = None, strict: bool = False) -> list[Problem]:
    """Every problem in the content folder, errors and warnings, sorted by file then line.

    `config` is a bot.config.Config; `content_dir` defaults to its content folder; `today` (for
    review dates) defaults to today in the staff time zone; `strict` makes overdue reviews errors.
    """
    return check_and_build(config, content_dir, today, strict)[0]


def check_and_build(config, content_dir=None, today: dt.date | None = None, strict: bool = False):
    """(problems, engine): the check, and the engine it built to route the examples (None when it
    could not build one), so a reload need not build it a second time."""
    content_dir = Path(content_dir or config.content_dir)
    checker = _Checker(config, content_dir, today or _today(config), strict)
    checker.run()
    problems = sorted(checker.problems, key=lambda p: (p.file, p.line, p.severity != ERROR, p.message))
    return problems, checker.built


def _today(config) -> dt.date:
    """Today in the staff time zone, or in UTC when that is already the next day: an editor (or
    a reviewer) east of the staff writes the date of their own calendar, which is not a typo."""
    from zoneinfo import ZoneInfo
    utc = dt.datetime.now(dt.timezone.utc).date()
    try:
        return max(dt.datetime.now(ZoneInfo(config.staff_timezone)).date(), utc)
    except Exception:   # noqa: BLE001 - a date is always better than no check
        return max(dt.date.today(), utc)


# -- finding lines ------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


class _Lines:
    """Where each section and key of a TOML file starts and ends, to point editors at lines."""

    def __init__(self, path: Path):
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []
        self.sections: dict[str, int] = {}
        self.keys: dict[tuple[str, str], tuple[int, int]] = {}
        section, current, open_quote = "", None, None

        def close(end):
            if current is not None:
                self.keys.setdefault(current[:2], (current[2], end))

        for number, line in enumerate(self.lines, 1):
            if open_quote is None:
                header = _HEADER.match(line)
                key = None if header else _KEY.match(line)
                if header:
                    close(number - 1)
                    current = None
                    section = header.group(1).strip()
                    self.sections.setdefault(section, number)
                elif key:
                    close(number - 1)
                    current = (section, key.group(1), number)
            open_quote = _quotes(line, open_quote)
        close(len(self.lines))

    def section_line(self, section: str) -> int:
        return self.sections.get(section, 1)

    def key_line(self, section: str, key: str) -> int:
        found = self.keys.get((section, key))
        return found[0] if found else self.section_line(section) if section else 1

    def find(self, section: str, key: str, needle: str) -> int:
        """The first line of `key` (in `section`) mentioning `needle`, quoted if possible."""
        start, end = self.keys.get((section, key), (0, -1))
        for candidate in (f'"{needle}"', f"'{needle}'", needle):
            for number in range(start, end + 1):
                if candidate and candidate in self.lines[number - 1]:
                    return number
        return self.key_line(section, key)

    def find_text(self, section: str, key: str, raw: str) -> int:
        """The line where a (possibly multi-line) text value begins."""
        first = next((ln.strip() for ln in str(raw).splitlines() if ln.strip()), "")
        return self.find(section, key, first[:40]) if first else self.key_line(section, key)

    def lines_of(self, section: str, key: str):
        start, end = self.keys.get((section, key), (0, -1))
        for number in range(start, end + 1):
            yield number, self.lines[number - 1]


def _quotes(line: str, open_quote: str | None) -> str | None:
    """Whether a multi-line string is still open after this line."""
    i = 0
    while True:
        if open_quote:
            j = line.find(open_quote, i)
            if j < 0:
                return open_quote
            i, open_quote = j + 3, None
        else:
            hits = [(j, q) for q in ('"""', "'''") if (j := line.find(q, i)) >= 0]
            hash_at = line.find("#", i)
            if not hits or (hash_at >= 0 and hash_at < min(hits)[0] and line[:hash_at].count('"') % 2 == 0):
                return None
            j, open_quote = min(hits)
            i = j + 3


# -- the checks ---------------------------------------------------------------------------------

class _Checker:
    def __init__(self, config, content_dir: Path, today: dt.date, strict: bool):
        self.config = config
        self.dir = content_dir
        self.base = content_dir.parent
        self.today = today
        self.strict = strict
        self.problems: list[Problem] = []
        self.built = None       # the engine the examples were routed with
        self._lines: dict[Path, _Lines] = {}

    def add(self, path, line, severity, message):
        self.problems.append(Problem(self.rel(path), int(line or 1), severity, message))

    def rel(self, path) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.base.resolve()).as_posix()
        except (ValueError, OSError):
            return str(path)

    def where(self, path: Path) -> _Lines:
        if path not in self._lines:
            self._lines[path] = _Lines(path)
        return self._lines[path]

    def run(self):
        if not (self.dir / "topics").is_dir():
            self.add(self.dir, 1, ERROR, f"no topics folder in {self.dir}; point --content at the content folder")
            return
        try:
            self.content = load(self.dir, self.config.languages, self.config.placeholders())
        except ContentError as exc:
            for file, line, message in exc.problems:
                menu = re.match(r"menu lists '([a-z0-9-]+)'", message)
                if menu and (self.dir / "topics" / f"{menu.group(1)}.toml").exists():
                    continue   # the topic file is there but broken: its own problem says why
                self.add(file, line, ERROR, _advice(message))
            return
        except Exception as exc:   # noqa: BLE001 - a reload must be refused, not crash the app
            self.add(self.dir, 1, ERROR, f"the content could not be read ({type(exc).__name__}: {exc}); "
                                         "undo your last change or ask a developer")
            return
        self.raw = {}
        for topic in self.content.topics.values():
            try:
                with open(topic.path, "rb") as f:
                    self.raw[topic.id] = tomllib.load(f)
            except (OSError, ValueError):   # changed since load(): checked again next time
                self.raw[topic.id] = {}
        self.broken = False
        for step in (self.fields, self.keywords, self.budgets, self.translations, self.related,
                     self.review_dates, self.emergency_texts, self.literal_numbers, self.language_files,
                     self.emergency_patterns, self.emergency_steps, self.same_facts):
            try:
                step()
            except Exception as exc:   # noqa: BLE001 - odd content must give an error, never a crash
                self.broken = True
                self.add(self.dir, 1, ERROR, f"the check could not finish ({step.__name__}: "
                                             f"{type(exc).__name__}: {exc}); undo your last change or ask a developer")
        if not self.broken:   # the engine would not start, or crash on an emergency example
            engine = self.engine()
            if engine is not None:
                self.examples(engine)
                self.emergency_sets(engine)
                self.menus(engine)
                self.built = engine

    # 2. fields load() does not look at
    def fields(self):
        for topic in self.content.topics.values():
            lines = self.where(topic.path)
            for key, value in self.raw[topic.id].items():
                if key in TOP_FIELDS or key in KNOWN_LANGUAGES and isinstance(value, dict):
                    continue
                if isinstance(value, dict):
                    self.add(topic.path, lines.section_line(key), ERROR,
                             f"unknown section [{key}]; language sections are "
                             f"{', '.join(f'[{c}]' for c in KNOWN_LANGUAGES)} (lower case)")
                else:
                    self.add(topic.path, lines.key_line("", key), ERROR,
                             f"unknown field `{key}` (typo?); the fields above the first [section] are "
                             f"{', '.join(TOP_FIELDS)}")

    # 3. a keyword belongs to one topic
    def keywords(self):
        owner: dict[tuple[str, str], tuple] = {}
        for topic in self.content.topics.values():
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                for keyword in text.keywords:
                    key = (lang, normalise(keyword))
                    if not key[1]:
                        self.add(topic.path, lines.find(lang, "keywords", keyword), ERROR,
                                 f"[{lang}] keyword {keyword!r} has no letters or digits, so it can never match; remove it")
                        continue
                    if key not in owner:
                        owner[key] = (topic, keyword)
                        continue
                    other, other_word = owner[key]
                    if other.id == topic.id:   # "k-hole" and "k hole" in one topic: harmless
                        continue
                    same = "" if other_word == keyword else f" (the bot reads {keyword!r} and {other_word!r} as the same)"
                    other_line = self.where(other.path).find(lang, "keywords", other_word)
                    self.add(topic.path, lines.find(lang, "keywords", keyword), ERROR,
                             f"[{lang}] keyword {keyword!r} is also a keyword of topic {other.id!r} "
                             f"({self.rel(other.path)}, line {other_line}){same}; a keyword belongs to one "
                             "topic: remove it from one of the two files")

    # 5. SMS budgets and the GSM-7 alphabet
    def budgets(self):
        limit = self.config.sms_max_segments
        for topic in self.content.topics.values():
            lines, raw = self.where(topic.path), self.raw[topic.id]
            for lang, text in topic.texts.items():
                section = raw.get(lang, {})
                parts = [("answer", text.answer, section.get("answer", ""), "move some sentences into `more`")]
                for name in EMERGENCY_FIELDS:
                    if getattr(text, name):
                        parts.append((name, getattr(text, name), section.get(name, ""),
                                      "keep only what to do right now; the rest can go in `more`"))
                raw_more = section.get("more") or []
                for i, part in enumerate(text.more):
                    parts.append((f"`more` part {i + 1}", part, raw_more[i] if i < len(raw_more) else part,
                                  "split it into two `more` parts"))
                for label, value, raw_value, advice in parts:
                    sent = segments.to_gsm7(render(value, self.config.placeholders(lang)))
                    count = segments.segment_count(sent)
                    if count <= limit:
                        continue
                    key = "more" if label.startswith("`more`") else label
                    used, fits = segments.septets(sent), segments.max_chars(limit)
                    double = " ({ } [ ] ~ | ^ \\ and € count as two)" if used > len(sent) else ""
                    names = list(dict.fromkeys(PLACEHOLDER.findall(value)))
                    filled = (f" once {', '.join('{' + n + '}' for n in names)} "
                              f"{'is' if len(names) == 1 else 'are'} filled in") if names else ""
                    self.add(topic.path, lines.find_text(lang, key, raw_value), ERROR,
                             f"[{lang}] {label} is {count} SMS long: {used} characters{filled}{double}, and "
                             f"{limit} SMS hold {fits}; cut {used - fits} characters or {advice}")
                self.more_prompt(topic, lang, text, lines, section.get("answer", ""))
                self.alphabet(topic, lang, text, lines)

    def more_prompt(self, topic, lang, text, lines, raw_answer):
        """With `more` parts, the first SMS also carries the MORE prompt. An answer that fits alone but
        not with it is sent cut at a sentence, its end waiting for MORE: worth a warning."""
        limit = self.config.sms_max_segments
        language = self.content.languages.get(lang) or self.content.languages.get("en")
        prompt = (language.text.get("more_prompt") if language else "") or ""
        if not text.more or not prompt:
            return
        values = self.config.placeholders(lang)
        answer = render(text.answer, values)
        if segments.segment_count(segments.to_gsm7(answer)) > limit:
            return   # already an error above
        sent = segments.to_gsm7(f"{answer} {render(prompt, values)}")
        if segments.segment_count(sent) <= limit:
            return
        used, fits = segments.septets(sent), segments.max_chars(limit)
        self.add(topic.path, lines.find_text(lang, "answer", raw_answer), WARNING,
                 f"[{lang}] answer with the MORE prompt ({prompt!r}) after it is {used} characters, and {limit} SMS "
                 f"hold {fits}: on SMS its last sentence waits for MORE; cut {used - fits} characters")

    def alphabet(self, topic, lang, text, lines):
        for field_name in SENT_FIELDS:
            value = getattr(text, field_name)
            value = " ".join(value) if isinstance(value, list) else value
            bad = {c for c in value if _costly(c)}
            if not bad:
                continue
            for number, line in lines.lines_of(lang, field_name):
                for char in sorted(bad):
                    column = line.find(char)
                    if column >= 0:
                        self.add(topic.path, number, WARNING,
                                 f"[{lang}] {field_name}: {_describe(char)} at column {column + 1} is not in the "
                                 f"SMS alphabet (GSM-7), so an SMS carrying it holds 70 characters instead of 160; "
                                 f"{_instead(char)}")

    # 6. required languages
    def translations(self):
        topics = self.content.topics
        config_path = self.base / "config.toml"
        for topic_id in self.config.must_translate:
            if topic_id not in topics:
                self.add(config_path, self.where(config_path).find("content", "must_translate", topic_id)
                         if config_path.exists() else 1, ERROR,
                         f"[content] must_translate lists {topic_id!r}, but there is no topic file "
                         f"topics/{topic_id}.toml{_did_you_mean(topic_id, topics)}; fix the name or remove it")
                continue
            topic = topics[topic_id]
            for lang in self.config.languages:
                if lang not in topic.texts:
                    name = LANGUAGE_NAMES.get(lang, lang)
                    self.add(topic.path, self.where(topic.path).section_line("en"), ERROR,
                             f"this topic has no [{lang}] section ({name}), and config.toml ([content] "
                             f"must_translate) says it must be in every language; copy the [en] section to the end "
                             f"of the file, rename it [{lang}] and translate it")

    # 7. related links
    def related(self):
        topics = self.content.topics
        for topic in topics.values():
            for other in topic.related:
                if other not in topics:
                    self.add(topic.path, self.where(topic.path).find("", "related", other), ERROR,
                             f"`related` lists {other!r}, but there is no topic file topics/{other}.toml"
                             f"{_did_you_mean(other, topics)}; fix the name or remove it")

    # 8. review dates
    def review_dates(self):
        limit = self.config.review_max_days
        for topic in self.content.topics.values():
            line = self.where(topic.path).key_line("", "reviewed")
            age = (self.today - topic.reviewed).days
            if age < 0:
                self.add(topic.path, line, ERROR,
                         f"reviewed = {topic.reviewed} is in the future (today is {self.today}); "
                         "write the day the topic was actually checked")
            elif age > limit:
                self.add(topic.path, line, ERROR if self.strict else WARNING,
                         f"last reviewed {topic.reviewed}, {age} days ago (the limit is {limit} days); check the "
                         f"facts against the sources, update the text, then set reviewed = {self.today}")

    # 9. emergency texts, examples present, literal numbers
    def emergency_texts(self):
        topics = self.content.topics
        path = self.dir / "emergency.toml"
        emergency_topics = set()
        kinds = self.content.emergency.get("kinds")
        for kind, entry in (kinds if isinstance(kinds, dict) else {}).items():
            topic_id = entry.get("topic") if isinstance(entry, dict) else None
            if topic_id not in topics:
                self.add(path, self.where(path).find(f"kinds.{kind}", "topic", str(topic_id)), ERROR,
                         f"emergency kind {kind!r} sends topic {topic_id!r}, which has no topic file"
                         f"{_did_you_mean(str(topic_id), topics)}; an emergency would get no answer: fix the name")
                self.broken = True
            else:
                emergency_topics.add(topic_id)
        for topic in topics.values():
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                if not text.examples:
                    self.add(topic.path, lines.section_line(lang), WARNING,
                             f"[{lang}] has no examples; add a few whole messages people would send about this "
                             "topic (each one is tested)")
                for name in EMERGENCY_FIELDS:
                    value = getattr(text, name)
                    if value and not value.startswith("{emergency}"):
                        self.add(topic.path, lines.key_line(lang, name), ERROR,
                                 f"[{lang}] {name} must start with {{emergency}} so the number comes first; "
                                 f"write {{emergency}} at the very start of the text")
                if topic.id in emergency_topics and not text.emergency:
                    self.add(topic.path, lines.section_line(lang), ERROR,
                             f"[{lang}] has no `emergency` text, but emergency.toml sends this topic when it is "
                             "happening now; add emergency = \"\"\"{emergency}: ...\"\"\" with the first steps")

    def emergency_patterns(self):
        spec, path = self.content.emergency, self.dir / "emergency.toml"
        lines = self.where(path)
        kinds = spec.get("kinds") or {}
        default = spec.get("default_kind", "opioid")
        if not isinstance(kinds, dict):
            self.broken = True
            self.add(path, lines.key_line("", "kinds"), ERROR,
                     "`kinds` must be sections like [kinds.opioid], each with a topic and words")
            kinds = {}
        elif default not in kinds:
            self.broken = True
            self.add(path, lines.key_line("", "default_kind"), ERROR,
                     f"default_kind is {default!r}, but there is no [kinds.{default}]; use one of "
                     f"{', '.join(kinds) or '(none: add a [kinds.NAME] section)'}")
        found = []
        for lang in self.config.languages:
            for key in ("now", "maybe", "urgent", "info"):
                patterns = (spec.get(lang) or {}).get(key, [])
                if not isinstance(patterns, list) or not all(isinstance(x, str) for x in patterns):
                    self.broken = True
                    self.add(path, lines.key_line(lang, key), ERROR,
                             f"[{lang}] `{key}` must be a list of patterns in quotes, like ['\\bnot breathing\\b']")
                    continue
                found += [(path, lang, key, x) for x in patterns]
        for kind, entry in kinds.items():
            if isinstance(entry, dict):
                found += [(path, f"kinds.{kind}", key, entry[key]) for key in ("words", "unless")
                          if isinstance(entry.get(key), str)]
        mixing = self.dir / "combinations.toml"
        for section, table in (("mixing_cues", self.content.mixing_cues),
                               ("contamination_cues", self.content.contamination_cues)):
            found += [(mixing, section, key, x) for key, x in table.items() if isinstance(x, str)]
        for file, section, key, pattern in found:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.broken = True
                self.add(file, self.where(file).find(section, key, pattern), ERROR,
                         f"[{section}] {key}: '{pattern}' is not a valid pattern ({exc.msg} at character "
                         f"{(exc.pos or 0) + 1}); check its brackets ( ) [ ] and backslashes")

    def literal_numbers(self):
        numbers = {}
        for name, value in self.config.numbers.items():
            numbers.setdefault(value.strip(), name)
        if not numbers:
            return
        pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(v) for v in sorted(numbers, key=len, reverse=True))
                             + r")(?![\w-])")
        for topic in self.content.topics.values():
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                for field_name in SENT_FIELDS:
                    value = getattr(text, field_name)
                    for found in pattern.findall(" ".join(value) if isinstance(value, list) else value):
                        self.add(topic.path, lines.find(lang, field_name, found), WARNING,
                                 f"[{lang}] {field_name} writes the number {found}; write {{{numbers[found]}}} "
                                 "instead, so it comes from config.toml and stays right if it changes")

    def language_files(self):
        english = self.content.languages.get("en")
        for code, lang in self.content.languages.items():
            path = self.dir / "lang" / f"{code}.toml"
            lines = self.where(path)
            for key in MIXING_TEXTS:
                if key not in lang.text:
                    self.add(path, lines.section_line("text"), ERROR,
                             f"[text] has no `{key}`; the mixing answer needs it: add it (see en.toml)")
            for risk in RISKS:
                if risk not in lang.risk:
                    self.add(path, lines.section_line("risk"), ERROR,
                             f"[risk] has no `{risk}`; the mixing answer needs it: add it (see en.toml)")
            if english is not None and code != "en":
                for key in english.text:
                    if key not in lang.text and key not in MIXING_TEXTS:
                        self.add(path, lines.section_line("text"), WARNING,
                                 f"[text] has no `{key}`, so the English is sent; add it translated")
            for section, table in (("text", lang.text), ("risk", lang.risk)):
                for key, value in table.items():
                    bad = {c for c in str(value) if _costly(c)}
                    for number, line in lines.lines_of(section, key):
                        for char in sorted(c for c in bad if c in line):
                            self.add(path, number, WARNING,
                                     f"[{section}] {key}: {_describe(char)} at column {line.find(char) + 1} is not "
                                     f"in the SMS alphabet (GSM-7); {_instead(char)}")

    # 10. the universal steps in the first SMS of every emergency text
    def emergency_steps(self):
        for topic in self.content.topics.values():
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                language = self.content.languages.get(lang)
                values = self.config.placeholders(lang)
                for name in EMERGENCY_FIELDS:
                    value = getattr(text, name)
                    if not value or language is None:
                        continue
                    markers = language.steps.get(topic.id) if name == "emergency" else None
                    markers = markers or language.steps.get(name)
                    lang_path = self.dir / "lang" / f"{lang}.toml"
                    if not markers:
                        self.add(lang_path, self.where(lang_path).section_line("universal_steps_markers"), ERROR,
                                 f"[universal_steps_markers] has no `{name}` list, so the first SMS of the {name} "
                                 f"text of topic {topic.id!r} cannot be checked; add the phrases it must contain "
                                 "(see en.toml)")
                        continue
                    sent = segments.to_gsm7(render(value, values))
                    first = normalise(segments.split_segments(sent)[0])
                    missing = [m for m in markers if normalise(render(m, values)) not in first]
                    if missing:
                        shown = ", ".join(repr(m) for m in missing)
                        self.add(topic.path, lines.key_line(lang, name), ERROR,
                                 f"[{lang}] {name}: the first SMS (the first 153 characters) does not say {shown}; "
                                 "a phone may show the second SMS late, so the universal steps (number, naloxone, "
                                 "breathing, side, stay) come first: move them to the start and shorten the rest "
                                 f"(the phrases are listed in lang/{lang}.toml [universal_steps_markers])")

    # 11. the same facts in every language
    def same_facts(self):
        numbers = set(self.config.numbers)
        for topic in self.content.topics.values():
            english = topic.texts.get("en")
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                if lang == "en" or english is None:
                    continue
                groups = [("answer and more", english.answer + " " + " ".join(english.more),
                           text.answer + " " + " ".join(text.more))]
                groups += [(name, getattr(english, name), getattr(text, name)) for name in EMERGENCY_FIELDS
                           if getattr(english, name) and getattr(text, name)]
                for label, theirs, ours in groups:
                    key = "answer" if label.startswith("answer") else label
                    # Numbers are compared as sent (so a typed 911 and {emergency} agree), and the
                    # service placeholders by name, since their words differ by language.
                    found = {
                        "numbers": (_numbers(render(theirs, self.config.placeholders("en"))),
                                    _numbers(render(ours, self.config.placeholders(lang)))),
                        "services": (_placeholders(theirs) - numbers, _placeholders(ours) - numbers),
                    }
                    for kind, (want, have) in found.items():
                        if want == have:
                            continue
                        lost = ", ".join(sorted(want - have)) or "-"
                        extra = ", ".join(sorted(have - want)) or "-"
                        self.add(topic.path, lines.key_line(lang, key), ERROR,
                                 f"[{lang}] {label} does not state the same {kind} as English (missing: {lost}; "
                                 f"not in English: {extra}); a translation says the same facts: fix whichever "
                                 "text is wrong")

    # 4. examples go to their own topic
    def engine(self):
        from bot.engine.core import Engine
        try:
            return Engine(self.config, self.content)
        except Exception as exc:   # noqa: BLE001
            self.add(self.dir, 1, ERROR, f"the bot could not start with this content ({type(exc).__name__}: {exc}); "
                                         "undo your last change or ask a developer")
        return None

    def menus(self, engine):
        """MENU on SMS, as the engine sends it in each language, must fit the SMS budget."""
        from bot.messages import Message
        from bot.store.state import State
        limit = self.config.sms_max_segments
        for lang in engine.languages:
            sent = segments.to_gsm7(engine.reply(Message("menu", "sms", lang=lang), State(lang=lang, lang_chosen=True)).text)
            if segments.segment_count(sent) > limit:
                used, fits = segments.septets(sent), segments.max_chars(limit)
                self.add(self.dir / "menu.toml", 1, ERROR,
                         f"[{lang}] MENU is {segments.segment_count(sent)} SMS long: {used} characters with the titles "
                         f"of its topics, and {limit} SMS hold {fits}; shorten those titles in [{lang}] by "
                         f"{used - fits} characters in all, or list fewer topics")

    def examples(self, engine):
        from bot.messages import Message
        from bot.store.state import State

        topics = self.content.topics
        seen: dict[str, tuple] = {}
        for topic in topics.values():
            lines = self.where(topic.path)
            for lang, text in topic.texts.items():
                for example in text.examples:
                    plain = normalise(example)
                    other = seen.setdefault(plain, (topic, lang, example))
                    if other[0].id != topic.id:
                        other_line = self.where(other[0].path).find(other[1], "examples", other[2])
                        self.add(topic.path, lines.find(lang, "examples", example), ERROR,
                                 f"[{lang}] example {example!r} is also an example of topic {other[0].id!r} "
                                 f"({self.rel(other[0].path)}, line {other_line}); one message cannot go to two "
                                 "topics: remove it from one of the two files")
                        continue
                    try:
                        reply = engine.reply(Message(example, channel="sms"), State())
                    except Exception as exc:   # noqa: BLE001 - report it; a reload must not go live
                        self.add(topic.path, lines.find(lang, "examples", example), ERROR,
                                 f"[{lang}] example {example!r} makes the bot fail ({type(exc).__name__}: {exc}); "
                                 "undo your last change or ask a developer")
                        continue
                    wrong = _misroute(reply, topic.id, lang, topics, self.rel)
                    if wrong:
                        self.add(topic.path, lines.find(lang, "examples", example), ERROR,
                                 f"[{lang}] example {example!r} {wrong}")


    # 10. no edit may make the bot miss a known emergency
    def emergency_sets(self, engine):
        """Every line of content/training/<lang>/_emergency.txt must still be read as an emergency,
        whatever changed (a pattern, a topic's examples, the not-emergency set)."""
        from bot.messages import Message

        for lang, cases in self.content.emergencies.items():
            path = self.dir / "training" / lang / "_emergency.txt"
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            for kind, message in cases:
                if engine.read(Message(message, lang=lang)).alarm is None:
                    line = next((n for n, raw in enumerate(text.splitlines(), 1) if message in raw), 1)
                    self.add(path, line, ERROR,
                             f"[{lang}] the known emergency {message!r} ({kind}) is no longer read as an emergency; "
                             "the last edit made the bot miss it: undo it (a pattern in emergency.toml, an example "
                             "or a not-emergency line that says the same thing)")


def _misroute(reply, topic_id, lang, topics, rel) -> str:
    """What goes wrong with an example's reply, worded for an editor ('' when nothing does)."""
    fix = "add its telling words to this topic's keywords, or reword the example"
    if reply.kind in ("answer", "emergency", "command") and reply.topic == topic_id:
        if reply.lang == lang:
            return ""
        return (f"is answered in {LANGUAGE_NAMES.get(reply.lang, reply.lang)}, not "
                f"{LANGUAGE_NAMES.get(lang, lang)}; use more words of its own language in it")
    if reply.kind == "emergency":
        return (f"reads as an emergency happening now (answered with the emergency text of topic {reply.topic!r}); "
                "examples are questions for information: reword it")
    if reply.kind == "suggest":
        offered = ", ".join(c.topic for c in reply.choices)
        return f"gets no confident match: the bot asks \"did you mean\" ({offered}) instead of answering; {fix}"
    if reply.kind == "unknown" or reply.kind == "answer" and reply.topic is None:
        return f"gets no confident match: the bot says it has no answer; {fix}"
    if reply.kind == "empty":
        return "has no words the bot can read; write a whole message"
    if reply.kind == "mixing":
        return "is answered as a mixing question (two substances together), not by this topic; reword the example"
    if reply.kind != "answer":
        return "is read as a command (like MENU, MORE, STOP or a language name), not a question; reword the example"
    other = topics.get(reply.topic)
    where = f" ({rel(other.path)})" if other else ""
    return (f"goes to topic {reply.topic!r}{where}, not this one; {fix}, or take the words it shares "
            f"out of {reply.topic}.toml")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _numbers(text: str) -> set[str]:
    """Numbers a reader acts on: 72 hours, 2-3 min, 1-888-688-6677 (read as sent by SMS, where a
    long dash is a plain one)."""
    return set(re.findall(r"\d+(?:[-.]\d+)*", segments.to_gsm7(text)))


def _costly(char: str) -> bool:
    """A character outside GSM-7 an editor should replace. Accented letters (é, ç, á...) are part of
    the language: they are kept on Telegram and WhatsApp and sent without the accent on SMS."""
    if segments.is_gsm7(char):
        return False
    if unicodedata.category(char).startswith("L"):
        plain = segments.to_gsm7(char)
        return not (plain and segments.is_gsm7(plain))
    return True


def _describe(char: str) -> str:
    name = _CHAR_NAMES.get(char) or unicodedata.name(char, "unnamed character").lower()
    shown = repr(char) if char.isspace() else char
    return f"the {name} {shown} (U+{ord(char):04X})"


def _instead(char: str) -> str:
    plain = segments.to_gsm7(char)
    if plain == " ":
        return "type a plain space instead"
    if plain.strip():
        return f"type {plain} instead"
    return "remove it (SMS cannot show it, so it is dropped)"


def _did_you_mean(name: str, topics) -> str:
    close = difflib.get_close_matches(name, list(topics), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


_ADVICE = [
    (re.compile(r"unknown field `[^`]+` \(typo\?\)$"),
     "; a language section can have title, keywords, examples, answer, more, emergency and emergency_self"),
    (re.compile(r"`(\w+)` must be a non-empty text$"), "; add it to this section, or fill it in"),
    (re.compile(r"must be a list of non-empty texts$"), ', like ["first", "second"]'),
    (re.compile(r"an \[en\] section is required$"), "; add [en] with title, keywords, examples and answer"),
    (re.compile(r"which config.toml does not define$"),
     "; fix the spelling, or ask whoever runs the bot to add it to [numbers] or [services] in config.toml"),
    (re.compile(r"which has no topic file$"), "; fix the name or remove it from menu.toml"),
    (re.compile(r"is missing or broken$"), "; it must exist, or the language must be taken out of config.toml"),
    (re.compile(r"is listed twice$"), "; keep one"),
]


def _advice(message: str) -> str:
    """load()'s messages, with what to do added where they only say what is wrong."""
    for pattern, advice in _ADVICE:
        if pattern.search(message):
            return message + advice
    return message


# -- command line -------------------------------------------------------------------------------

def main(args) -> int:
    """`python -m bot content check [--strict] [--content DIR] [--config FILE]`."""
    from bot import config as config_module
    try:
        config = config_module.load(args.config)
    except config_module.ConfigError as exc:
        print(f"cannot check: {exc}", file=sys.stderr)
        return 2
    content_dir = Path(args.content) if args.content else config.content_dir
    if not content_dir.is_dir():
        print(f"cannot check: no content folder at {content_dir}", file=sys.stderr)
        return 2
    problems = check(config, content_dir, strict=args.strict)
    for line in format_problems(problems):
        print(line)
    print(summary(problems, topic_count(content_dir)))
    return 1 if has_errors(problems) else 0

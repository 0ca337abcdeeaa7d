"""The content check's translations: required languages present, language files complete, and a
French or Spanish section stating the same numbers and services as English."""
import re

from bot.content.load import PLACEHOLDER, render
from bot.content.schema import RISKS
from bot.editing.checks_budgets import _costly, _describe, _instead
from bot.editing.checks_common import (
    EMERGENCY_FIELDS,
    ERROR,
    LANGUAGE_NAMES,
    MIXING_TEXTS,
    WARNING,
    _did_you_mean,
)
from bot.text import segments


class TranslationChecks:
    """Mixed into the checker (bot/editing/check.py), which provides content, config, add and where."""

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


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _numbers(text: str) -> set[str]:
    """Numbers a reader acts on: 72 hours, 2-3 min, 1-888-688-6677 (read as sent by SMS, where a
    long dash is a plain one)."""
    return set(re.findall(r"\d+(?:[-.]\d+)*", segments.to_gsm7(text)))

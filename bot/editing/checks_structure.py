"""The content check's checks of single facts across topics: keywords owned by two topics, `related`
links, review dates, and numbers written out instead of their {placeholder}."""
import re

from bot.editing.checks_common import ERROR, SENT_FIELDS, WARNING, _did_you_mean
from bot.text.normalise import normalise


class StructureChecks:
    """Mixed into the checker (bot/editing/check.py), which provides content, config, add and where."""

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

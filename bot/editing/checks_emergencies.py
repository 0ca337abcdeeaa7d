"""The content check's emergency checks: emergency texts and the topics emergency.toml sends, valid
patterns, the universal steps in the first SMS, and the known emergencies still read as such."""
import re

from bot.content.load import render
from bot.editing.checks_common import EMERGENCY_FIELDS, ERROR, WARNING, _did_you_mean
from bot.text import segments
from bot.text.normalise import normalise


class EmergencyChecks:
    """Mixed into the checker (bot/editing/check.py), which provides content, config, add and where."""

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
            about = entry.get("about") if isinstance(entry, dict) else None
            if about is not None and about not in topics:
                self.add(path, self.where(path).find(f"kinds.{kind}", "about", str(about)), ERROR,
                         f"emergency kind {kind!r} is about topic {about!r}, which has no topic file"
                         f"{_did_you_mean(str(about), topics)}: fix the name")
                self.broken = True
        named = self.content.emergency.get("named")
        for topic_id in (named if isinstance(named, dict) else {}):
            if topic_id not in topics:
                self.add(path, self.where(path).key_line("named", topic_id), ERROR,
                         f"[named] names topic {topic_id!r}, which has no topic file"
                         f"{_did_you_mean(str(topic_id), topics)}: fix the name")
                self.broken = True
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
                found += [(path, f"kinds.{kind}", key, entry[key]) for key in ("words", "unless", "signs", "with_upper")
                          if isinstance(entry.get(key), str)]
        top_level = ("opioid_signs", "collapse_signs", "other_drugs", "overdose_event")
        found += [(path, "", key, spec[key]) for key in top_level if isinstance(spec.get(key), str)]
        named = spec.get("named")
        found += [(path, "named", key, x) for key, x in (named if isinstance(named, dict) else {}).items() if isinstance(x, str)]
        for code, language in self.content.languages.items():
            found += [(self.dir / "lang" / f"{code}.toml", "", "asks_for_person", x) for x in language.asks_for_person]
        mixing = self.dir / "combinations.toml"
        for section, table in (("mixing_cues", self.content.mixing_cues),
                               ("contamination_cues", self.content.contamination_cues),
                               ("open_mixing_cues", self.content.open_mixing_cues)):
            found += [(mixing, section, key, x) for key, x in table.items() if isinstance(x, str)]
        for file, section, key, pattern in found:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.broken = True
                self.add(file, self.where(file).find(section, key, pattern), ERROR,
                         f"[{section}] {key}: '{pattern}' is not a valid pattern ({exc.msg} at character "
                         f"{(exc.pos or 0) + 1}); check its brackets ( ) [ ] and backslashes")

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

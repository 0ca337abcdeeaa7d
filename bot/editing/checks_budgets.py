"""The content check's SMS budgets: every text people receive, with placeholders filled in, must fit
the configured number of GSM-7 segments, and avoid characters outside the GSM-7 alphabet."""
import unicodedata

from bot.content.load import PLACEHOLDER, render
from bot.editing.checks_common import EMERGENCY_FIELDS, ERROR, SENT_FIELDS, WARNING
from bot.text import segments


class BudgetChecks:
    """Mixed into the checker (bot/editing/check.py), which provides content, config, add and where."""

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
    name = segments.TYPOGRAPHIC.get(char, ("", ""))[1] or unicodedata.name(char, "unnamed character").lower()
    shown = repr(char) if char.isspace() else char
    return f"the {name} {shown} (U+{ord(char):04X})"


def _instead(char: str) -> str:
    plain = segments.to_gsm7(char)
    if plain == " ":
        return "type a plain space instead"
    if plain.strip():
        return f"type {plain} instead"
    return "remove it (SMS cannot show it, so it is dropped)"

"""The content check's engine routing: the real engine is built once, every example must reach its
own topic, and MENU must fit an SMS in every language."""
from bot.editing.checks_common import ERROR, LANGUAGE_NAMES
from bot.text import segments
from bot.text.normalise import normalise


class RoutingChecks:
    """Mixed into the checker (bot/editing/check.py), which provides content, config, add and where."""

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

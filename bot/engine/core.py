"""The answer engine: normalise, emergency first, commands, topic match, confidence, compose."""
import re
from dataclasses import dataclass, field

from bot.content.load import OFF_TOPIC, Content, render
from bot.engine.classifier import LinearTextModel
from bot.engine.emergency import Alarm, EmergencyDetector, Verdict
from bot.engine.matcher import Matcher, Scored
from bot.engine.mixing import MixingTable
from bot.messages import Choice, Effect, Escalation, Message, Reply, ReplyKind
from bot.store.state import State
from bot.text import budgets, segments
from bot.text.language import LanguageGuesser
from bot.text.lexicon import common_words
from bot.text.normalise import expand_shorthand, normalise, normalise_content

MAX_INPUT = 2000          # characters read from one message; the rest is ignored, not an error
_YES = {"yes", "y", "yeah", "yep", "ya", "oui", "si", "ok", "okay"}   # after "did you mean": take the first
_NUMBER = re.compile(r"^(?:#|no |number |num )?(\d{1,2})$")


# Topics worth answering alongside an emergency reply when the message also asks about them.
ALSO_ANSWERED = {"good-samaritan", "naloxone", "recovery-position"}
# Answering "stop" unsubscribes. A question that merely sounds like it ("vous gardez mes messages?")
# must not: below this score the person is asked first (a did-you-mean).
STOP_SURE = 0.9
# How the learned topic model's probability and the keyword matcher's score are blended. The matcher
# is exact where a keyword is there; the model carries over to phrasings no keyword names.
MODEL_WEIGHT = 0.6
# Danger signs with no emergency now ("what do i do if i see someone passed out", "last weekend he
# stopped breathing"): the topic that explains that kind of emergency gets LEAN_PRIOR added and at least
# LEAN_FLOOR (just above `suggest`), so it is offered or answered rather than "I don't have an answer".
# Only a sign counts, never a drug or "od" merely named. Tuned on the practice sets.
LEAN_PRIOR = 0.2
LEAN_FLOOR = 0.45
STAFF_TOPIC = "talk-to-staff"    # a request for a person, and the topic that escalates to staff


@dataclass
class Reading:
    """What the bot understood of one message, worked out once and used by every later step."""
    text: str                 # as typed, capped at MAX_INPUT
    norm: str                 # normalised (lower case, no accents or punctuation)
    lang: str
    expanded: list[str]       # shorthand expanded
    corrected: list[str]      # and typo-corrected
    verdict: Verdict
    _ranked: list[Scored] | None = field(default=None, repr=False)

    @property
    def words(self) -> list[str]:
        return self.norm.split()

    @property
    def alarm(self) -> Alarm | None:
        return self.verdict.alarm


class Engine:
    def __init__(self, config, content: Content):
        self.config = config
        self.content = content
        langs = [c for c in config.languages if c in content.languages]
        self.values = {c: config.placeholders(c) for c in {*langs, "en"}}   # services in each language
        self.languages = {c: content.languages[c] for c in langs}
        alarm_model, kind_model = self._emergency_models(content, langs)
        # Real words of the bot's languages are kept as typed, never "corrected" into content words.
        self.lexicons = {c: common_words(c) for c in langs}
        self.lexicon = frozenset().union(*self.lexicons.values())
        self.emergency = EmergencyDetector(content.emergency, langs, alarm_model, kind_model,
                                           self._ordinary(content) | self.lexicon)
        self.mixing = MixingTable(content)
        extra = set(self.emergency.vocabulary) | set(self.mixing.vocabulary)
        self.plain_words = set()
        for lang in self.languages.values():
            self.plain_words |= set(lang.stopwords)
            for phrases in lang.commands.values():
                self.plain_words.update(w for p in phrases for w in p.split())
            for expansion in lang.shorthand.values():
                self.plain_words.update(normalise_content(expansion).split())
        self.matcher = Matcher(content.topics, self.languages, extra_vocabulary=extra | self.plain_words)
        self.matcher.speller.prefer(set(self.matcher.postings) | extra)
        self.guesser = LanguageGuesser(content, langs)
        asks = [p for lang in self.languages.values() for p in lang.asks_for_person]
        self.asks_for_person = re.compile("|".join(f"(?:{p})" for p in asks)) if asks else None
        self.topic_model = self._topic_model(content, langs)
        self.commands: dict[str, tuple] = {}   # normalised command text -> (command, language)
        for code, lang in self.languages.items():
            for command, phrases in lang.commands.items():
                for phrase in phrases:
                    self.commands.setdefault(phrase, (command, code))

    # -- learning from the editors' examples -------------------------------------------------------

    def _plain(self, text: str, lang: str) -> str:
        """How the models see a text: normalised, shorthand expanded (the same for training and use)."""
        shorthand = self.languages[lang].shorthand if lang in self.languages else {}
        return " ".join(expand_shorthand(normalise(text).split(), shorthand))

    def _plain_content(self, text: str, lang: str) -> str:
        """_plain for the editors' own text, with its normalising remembered across engine builds."""
        shorthand = self.languages[lang].shorthand if lang in self.languages else {}
        return " ".join(expand_shorthand(normalise_content(text).split(), shorthand))

    @staticmethod
    def _ordinary(content) -> set[str]:
        """Words people really text: the language files' words, and any word used in two or more
        phrasings (training, examples, keywords). A typo an editor adds once is not among them."""
        words = set()
        for lang in content.languages.values():
            words |= set(lang.stopwords) | set(lang.shorthand)
            for phrases in lang.commands.values():
                words.update(w for p in phrases for w in p.split())
        seen: dict[str, int] = {}
        for by_topic in content.training.values():
            for phrases in by_topic.values():
                for phrase in phrases:
                    for w in set(normalise_content(phrase).split()):
                        seen[w] = seen.get(w, 0) + 1
        for phrases in content.not_emergencies.values():
            for phrase in phrases:
                for w in set(normalise_content(phrase).split()):
                    seen[w] = seen.get(w, 0) + 1
        for topic in content.topics.values():
            for text in topic.texts.values():
                for phrase in [*text.keywords, *text.examples]:
                    for w in set(normalise_content(phrase).split()):
                        seen[w] = seen.get(w, 0) + 1
        return words | {w for w, n in seen.items() if n >= 2}

    def _topic_model(self, content, langs):
        texts, labels = [], []
        for topic in content.topics.values():
            for lang, text in topic.texts.items():
                if lang not in langs:
                    continue
                for phrase in [text.title, *text.keywords, *text.examples]:
                    texts.append(self._plain_content(phrase, lang))
                    labels.append(topic.id)
        for lang, by_topic in content.training.items():
            if lang in langs:
                for topic_id, phrases in by_topic.items():
                    texts.extend(self._plain_content(p, lang) for p in phrases)
                    labels.extend([topic_id] * len(phrases))
        if len(set(labels)) < 2:
            return None
        return LinearTextModel.train(texts, labels, C=0.5, temperature=8.0)

    # Topics whose ordinary phrasings may well describe a body in danger now; every other topic's
    # phrasings (a crisis topic's too: the rules catch intent, plans and means) teach what is calm.
    PHYSICAL_EMERGENCIES = frozenset({"overdose", "stimulant-overamp", "alcohol-poisoning"})

    def _emergency_models(self, content, langs):
        """Emergency or not, from the example sets; and which kind, from the emergencies' labels."""
        yes, kinds, no = [], [], []
        for lang in langs:
            for kind, text in content.emergencies.get(lang, []):
                yes.append(self._plain_content(text, lang))
                kinds.append(kind)
            no.extend(self._plain_content(t, lang) for t in content.not_emergencies.get(lang, []))
            # How people ask about everything else is calm too; not the topics that have an emergency
            # reply, whose phrasings may well describe one.
            for topic_id, phrases in content.training.get(lang, {}).items():
                if topic_id not in self.PHYSICAL_EMERGENCIES:
                    no.extend(self._plain_content(t, lang) for t in phrases)
            for topic in content.topics.values():
                text = topic.texts.get(lang)
                if text is not None and topic.id not in self.PHYSICAL_EMERGENCIES:
                    no.extend(self._plain_content(t, lang) for t in text.examples)
        if not yes or not no:
            return None, None
        alarm = LinearTextModel.train(yes + no, ["emergency"] * len(yes) + ["calm"] * len(no), C=0.5,
                                      class_weight={"emergency": 2.0, "calm": 1.0})
        kind = LinearTextModel.train(yes, kinds, C=0.5) if len(set(kinds)) > 1 else None
        return alarm, kind

    # -- the pipeline ---------------------------------------------------------------------------

    def read(self, message: Message, state: State | None = None) -> Reading:
        """Understand a message once: its language, readings, emergency verdict (topics on demand)."""
        text = (message.text or "")[:MAX_INPUT]
        norm = normalise(text)
        words = norm.split()
        state = state or State()
        prior = message.lang or state.lang or self.config.default_language
        lang = prior if (message.lang or state.lang_chosen) else self.guesser.guess(words, prior)
        if state.lang_chosen and state.lang and not message.lang:
            guessed = self.guesser.guess(words, state.lang)
            lang = guessed if guessed != state.lang and len(words) >= 3 else state.lang
        if lang not in self.languages:
            lang = self.config.default_language
        expanded, corrected = self._readings(words, lang)
        # A whole-message command ("end", "stop") is read by the rules alone: the learned model has
        # seen "end it" in emergencies, and a carrier keyword must keep working.
        verdict = self.emergency.verdict(" ".join(expanded), " ".join(corrected), learned=norm not in self.commands)
        return Reading(text, norm, lang, expanded, corrected, verdict)

    def ranked(self, reading: Reading) -> list[Scored]:
        """Topics ranked for a reading, best first: the matcher's scores blended with the model's."""
        if reading._ranked is None and len(reading.corrected) == 1 and len(reading.corrected[0]) == 1:
            # A lone letter is texting for "ok" ("k") or a slip, not a topic: one-letter slang
            # ("k", "e", "g") only names a drug beside other words, as in the mixing table.
            reading._ranked = []
        if reading._ranked is None:
            stop = self.languages[reading.lang].stopwords
            matched = {r.topic: r.score for r in self.matcher.score(self.matcher.content_words(reading.corrected, stop))}
            learned = {}
            if self.topic_model is not None and reading.expanded:
                learned = {r.label: r.score for r in self.topic_model.rank(" ".join(reading.expanded), top=6)
                           if r.label != OFF_TOPIC}
            scores = {}
            for topic in set(matched) | set(learned):
                m, p = matched.get(topic, 0.0), learned.get(topic, 0.0)
                scores[topic] = round(min(1.0, (1 - MODEL_WEIGHT) * m + MODEL_WEIGHT * p + 0.25 * min(m, p)), 4)
            # The two readers sure of two different topics ("fentanyl overdose"): that is a close call,
            # and the person is asked rather than guessed for.
            by_words = max(matched, key=lambda topic: matched[topic], default=None)
            by_model = max(learned, key=lambda topic: learned[topic], default=None)
            if (by_words and by_model and by_words != by_model and matched[by_words] >= self.config.matching.answer
                    and learned[by_model] >= 0.5):
                top = max(scores[by_words], scores[by_model])
                scores[by_model], scores[by_words] = top, round(top - 0.01, 4)   # the model's pick first
            lean = reading.verdict.lean
            if (lean is None and "mixing" in self.content.topics
                    and self.mixing.open_question(" ".join(reading.corrected), reading.corrected)):
                # "What can I take with suboxone?": mixing offered first, beside the substance's own topic.
                lean = "mixing"
                scores[lean] = max([*scores.values(), LEAN_FLOOR])
            elif lean in self.content.topics:
                scores[lean] = round(min(1.0, max(scores.get(lean, 0.0) + LEAN_PRIOR, LEAN_FLOOR)), 4)
                if reading.verdict.law:
                    # The law around an overdose: asked first, beside the overdose topic the words name
                    # (a tie, so a "did you mean" rather than a guess).
                    scores[lean] = max(scores.values())
            if (STAFF_TOPIC in self.content.topics and self.asks_for_person is not None
                    and self.asks_for_person.search(" ".join(reading.expanded))):
                # "Need to talk to somebody real about getting on methadone": a person is what is asked
                # for, whatever the rest is about; staff see the whole message.
                lean = STAFF_TOPIC
                scores[lean] = min(1.0, max([*scores.values(), self.config.matching.answer]) + 0.01)
            reading._ranked = sorted((Scored(t, s) for t, s in scores.items()), key=lambda r: (-r.score, r.topic != lean, r.topic))
        return reading._ranked

    def reply(self, message: Message, state: State, reading: Reading | None = None) -> Reply:
        """Answer one message, updating the conversation's state in place."""
        reading = reading or self.read(message, state)
        lang = reading.lang
        state.lang = lang
        if not reading.words and not message.topic:
            return self._finish(Reply(self._text(lang, "empty"), ReplyKind.EMPTY, lang), state, message)

        # 1. Emergency: before anything else, opted out or not.
        if reading.alarm:
            return self._emergency(reading, state, message)
        if message.topic in self.content.topics and not state.opted_out:
            return self._answer_topic(message.topic, lang, state, message)

        # 2. Commands and navigation.
        reply = self._command(reading.norm, lang, state, message)
        if reply is not None:
            return reply
        if state.opted_out:
            return Reply("", ReplyKind.SILENT, lang)

        # 3. Mixing questions, then topics.
        found = self.mixing.question(" ".join(reading.corrected), reading.corrected)
        if found:
            body, _ = self.mixing.answer(found, self.languages[lang])
            body = render(body, self.values[lang])   # notes may use {emergency} and friends
            state.misses = 0
            reply = self._compose(Reply("", ReplyKind.MIXING, lang, topic="mixing", confidence=1.0), body, [], state, message)
        else:
            reply = self._decide(self.ranked(reading), lang, state, message)
        line = self._text(lang, "safety_line") if reading.verdict.caution and reply.kind != ReplyKind.COMMAND else ""
        if line:
            # Danger words, but not sure it is happening now: one line first, no staff alarm. The
            # answer is fitted again with it, so the first SMS still stays within budget.
            prompt = self._text(lang, "more_prompt")
            body = reply.text[: -len(prompt)].rstrip() if reply.has_more and reply.text.endswith(prompt) else reply.text
            reply = self._compose(reply, f"{line}\n{body}", list(state.more), state, message, keep_choices=True)
            reply.caution = True
        return reply

    def _readings(self, words, lang):
        """The message as typed (shorthand expanded) and as typo-corrected."""
        language = self.languages[lang]
        expanded = expand_shorthand(words, language.shorthand)
        if language.joined:
            expanded = self._unjoin(expanded, language.joined, self.lexicons[lang])
        return expanded, [w if w in self.lexicon else self.matcher.correct(w, lang) or w for w in expanded]

    def _unjoin(self, words, joined, lexicon):
        """A word run into the next ("jreste", "jpense", "jcomprends"): its start, when the rest is a
        common word of the language and the whole is not, is the word `joined` says it stands for."""
        out = []
        for word in words:
            for start, meaning in joined.items():
                rest = word[len(start):]
                if (word.startswith(start) and len(rest) >= 3 and rest in lexicon and word not in lexicon
                        and word not in self.matcher.postings):
                    out.extend((meaning, rest))
                    break
            else:
                out.append(word)
        return out

    def alarm(self, text: str):
        """Whether a message is an emergency, without touching any conversation."""
        return self.read(Message(text or "")).alarm

    def ranking(self, text: str, lang: str | None = None, top: int = 5):
        """The topics a message scores best for, as the engine sees it (for the editors' preview)."""
        lang = lang if lang in self.languages else None
        return self.ranked(self.read(Message(text or "", lang=lang)))[:top]

    def notice(self, lang: str | None, key: str) -> str:
        """One of the bot's own lines (content/lang) in a language, numbers filled in."""
        return self._text(lang if lang in self.languages else self.config.default_language, key)

    # -- steps ----------------------------------------------------------------------------------

    def _emergency(self, reading, state, message) -> Reply:
        alarm, lang = reading.alarm, reading.lang
        topic = self.content.topics[alarm.topic]
        text, used = topic.text(lang)
        values = self.values[used]
        # Someone overdosing themselves gets their own steps (call now, unlock the door), not a bystander's.
        own = getattr(text, "emergency_self", "") if alarm.self_ else ""
        body = render(own or text.emergency or text.answer, values)
        state.misses = 0
        state.choices = []
        more = [render(text.answer, values), *[render(m, values) for m in text.more]]
        shown = alarm.topic
        if alarm.about in self.content.topics and alarm.about != alarm.topic:
            # "3 narcans in, still won't wake, pretty sure there's tranq": the overdose steps, then
            # what tranq changes, before the rest of the overdose topic.
            about, about_lang = self.content.topics[alarm.about].text(lang)
            about_values = self.values[about_lang]
            more = [render(about.answer, about_values), *[render(m, about_values) for m in about.more], *more]
            shown = alarm.about
        why = Escalation.CRISIS if alarm.topic == "mental-health-crisis" else Escalation.EMERGENCY
        reply = Reply("", ReplyKind.EMERGENCY, lang, topic=shown, emergency=True, escalation=why, confidence=1.0)
        reply = self._compose(reply, body, more, state, message)
        # "Will I get arrested if I call 911?": the emergency steps first, then the answer to what
        # was asked, as its own message. Fear of police is a reason people don't call.
        ranked = self.ranked(reading)
        asked = next((r.topic for r in ranked[:3] if r.topic in ALSO_ANSWERED and r.score >= self.config.matching.suggest), None)
        if asked:
            also, also_lang = self.content.topics[asked].text(lang)
            reply.followups.append(render(also.answer, self.values[also_lang]))
        return reply

    def _command(self, norm, lang, state, message) -> Reply | None:
        number = _NUMBER.match(norm)
        if number and not state.opted_out:
            return self._pick(int(number.group(1)), lang, state, message)
        if state.suggested and state.choices and not state.opted_out and norm in _YES:
            return self._pick(1, lang, state, message)
        found = self.commands.get(norm)
        if found is None:
            return None
        command, command_lang = found
        if command == "start":
            if not state.opted_out:
                # Telegram's /start opens every chat: greet with what the line is and how it works.
                return None if norm == "yes" else self._answer_topic("help", lang, state, message, kind=ReplyKind.COMMAND)
            state.opted_out = False
            reply = Reply(self._text(lang, "started"), ReplyKind.COMMAND, lang, topic="help", effects=frozenset({Effect.OPT_IN}))
            return self._finish(reply, state, message)
        if command == "delete":
            # The conversation layer erases what the store keeps; this request's state goes here.
            state.__init__()
            return Reply(self._text(lang, "deleted"), ReplyKind.DELETE, lang, topic="privacy", effects=frozenset({Effect.ERASE}))
        if command == "stop":
            return self._answer_topic("stop", lang, state, message, kind=ReplyKind.COMMAND)
        if state.opted_out:
            return Reply("", ReplyKind.SILENT, lang)
        if command == "language":
            state.lang, state.lang_chosen = command_lang, True
            return self._finish(Reply(self._text(command_lang, "language_set"), ReplyKind.COMMAND, command_lang), state, message)
        if command == "languages":
            return self._finish(Reply(self._text(lang, "language_choose"), ReplyKind.LANGUAGES, lang), state, message)
        if command == "help":
            return self._answer_topic("help", lang, state, message, kind=ReplyKind.COMMAND)
        if command == "staff":
            return self._answer_topic(STAFF_TOPIC, lang, state, message, kind=ReplyKind.COMMAND)
        if command == "menu":
            reply = self._menu(lang, state, message)
            reply.topic = "help"      # what the service offers, as a list
            return reply
        if command == "more":
            return self._more(lang, state, message)
        return None

    def _pick(self, number, lang, state, message) -> Reply:
        if not 1 <= number <= len(state.choices):
            return self._finish(Reply(self._text(lang, "bad_number"), ReplyKind.COMMAND, lang), state, message)
        return self._answer_topic(state.choices[number - 1], lang, state, message)

    def _menu(self, lang, state, message, lead="") -> Reply:
        ids = [t for t in self.content.menu if t in self.content.topics]
        state.choices, state.suggested = ids, False
        choices = [Choice(i, t, self.content.topics[t].text(lang)[0].title) for i, t in enumerate(ids, 1)]
        lines = [lead] if lead else []
        lines.append(self._text(lang, "menu_header"))
        lines += [f"{c.number} {c.title}" for c in choices]
        lines.append(self._text(lang, "menu_footer"))
        kind = ReplyKind.UNKNOWN if lead else ReplyKind.COMMAND
        text = "\n".join(lines)
        if lead and not self._fits(text, message.channel):
            # Honest "I don't know" first, within budget; the lead already says to text MENU.
            state.choices, choices, text = [], [], lead
        # Nothing answered it: the editors get to see the message.
        effects = frozenset({Effect.UNANSWERED}) if lead else frozenset()
        return self._finish(Reply(text, kind, lang, choices=choices, effects=effects), state, message, keep_choices=True)

    def _more(self, lang, state, message) -> Reply:
        if not state.more:
            return self._finish(Reply(self._text(lang, "no_more"), ReplyKind.MORE, lang), state, message)
        body, rest = state.more[0], state.more[1:]
        return self._compose(Reply("", ReplyKind.MORE, lang), body, rest, state, message, keep_choices=True)

    def _decide(self, ranked, lang, state, message) -> Reply:
        m = self.config.matching
        best = ranked[0] if ranked else None
        if best is None or best.score < m.suggest:
            state.misses += 1
            reply = self._menu(lang, state, message, lead=self._text(lang, "no_match"))
            reply.topic, reply.confidence = None, best.score if best else 0.0
            reply.escalation = Escalation.MISSES if state.misses >= 3 else None
            return reply
        state.misses = 0
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        sure = STOP_SURE if best.topic == "stop" else m.answer
        if best.score >= sure and best.score - runner_up >= m.margin:
            return self._answer_topic(best.topic, lang, state, message, confidence=best.score)
        # Offer the near ones; a lone weak candidate still comes with the runner-up, so the
        # person has a real choice (and MENU is always there).
        close = [r for r in ranked[: m.max_choices] if r.score >= max(m.suggest, best.score - 0.25)]
        if len(close) < 2 and len(ranked) > 1 and ranked[1].score >= m.suggest * 0.5:
            close = ranked[:2]
        state.choices, state.suggested = [r.topic for r in close], True
        choices = [Choice(i, r.topic, self.content.topics[r.topic].text(lang)[0].title) for i, r in enumerate(close, 1)]
        lines = [self._text(lang, "did_you_mean")] + [f"{c.number} {c.title}" for c in choices]
        lines.append(self._text(lang, "pick_number"))
        # Likeliest a request for a person: staff see it even while the texter is asked to pick.
        reply = Reply("\n".join(lines), ReplyKind.SUGGEST, lang, topic=best.topic, confidence=best.score, choices=choices,
                      escalation=Escalation.STAFF if best.topic == STAFF_TOPIC else None)
        return self._finish(reply, state, message, keep_choices=True)

    def _answer_topic(self, topic_id, lang, state, message, kind=ReplyKind.ANSWER, confidence=1.0) -> Reply:
        if topic_id == "stop":
            # However it was reached (the word STOP, "stop texting me", or picking it from a list),
            # the answer says "you're unsubscribed", so it must be true.
            state.opted_out = True
            state.more, state.choices = [], []
        topic = self.content.topics[topic_id]
        text, used = topic.text(lang)
        body = render(text.answer, self.values[used])
        more = [render(m, self.values[used]) for m in text.more]
        note = self._text(lang, "fallback_language") if used != lang else ""
        if note:
            body = f"{body} {note}"
        why = Escalation.STAFF if topic_id == STAFF_TOPIC else None
        effects = frozenset({Effect.OPT_OUT}) if topic_id == "stop" else frozenset()
        reply = Reply("", kind, lang, topic=topic_id, escalation=why, confidence=confidence, effects=effects)
        return self._compose(reply, body, more, state, message)

    # -- composing what is sent -----------------------------------------------------------------

    def _compose(self, reply, body, more, state, message, keep_choices=False) -> Reply:
        """Fit the first part to the channel's budget; everything else waits for MORE."""
        prompt = self._text(reply.lang, "more_prompt")
        queue = list(more)
        first = body
        if not self._fits(first, message.channel):
            pieces = segments.split_sentences(first, self._budget(message.channel, reserve=len(prompt) + 1))
            first, queue = pieces[0], pieces[1:] + queue
        while queue and self._fits(f"{first}\n\n{queue[0]} {prompt}", message.channel) and message.channel != "sms":
            first = f"{first}\n\n{queue.pop(0)}"
        if queue:
            if not self._fits(f"{first} {prompt}", message.channel):
                pieces = segments.split_sentences(first, self._budget(message.channel, reserve=len(prompt) + 1))
                first, queue = pieces[0], pieces[1:] + queue
            first = f"{first} {prompt}"
        state.more = queue
        reply.text, reply.has_more = first, bool(queue)
        return self._finish(reply, state, message, keep_choices=keep_choices)

    def _finish(self, reply, state, message, keep_choices=False) -> Reply:
        if not keep_choices:
            state.choices, state.suggested = [], False
        return reply

    def _budget(self, channel, reserve=0) -> int:
        return budgets.reply_budget(channel, self.config.sms_max_segments, reserve)

    def _fits(self, text, channel) -> bool:
        return budgets.fits(text, channel, self.config.sms_max_segments)

    def _text(self, lang, key) -> str:
        own = self.languages[lang].text.get(key)
        return render(own or self.languages["en"].text.get(key, ""), self.values[lang if own else "en"])

"""The content itself: required topics, examples as tests, SMS budgets, emergency replies."""
import re

import pytest

from bot.content.load import render
from bot.messages import Message
from bot.store.state import State
from bot.text import segments
from bot.text.normalise import normalise

REQUIRED = """overdose naloxone never-use-alone good-samaritan stimulant-overamp alcohol-poisoning
mental-health-crisis talk-to-staff privacy help stop recovery-position fentanyl-test-strips drug-checking
xylazine benzos tolerance mixing safer-injecting safer-smoking safer-snorting fentanyl stimulants mdma ghb
ketamine psychedelics cannabis alcohol withdrawal treatment wound-care hiv-hep-c supplies safety-planning
shelter greeting thanks""".split()
TRANSLATED = REQUIRED[:12]
EMERGENCY_TOPICS = ["overdose", "stimulant-overamp", "alcohol-poisoning", "mental-health-crisis"]


def test_required_topics_exist_in_required_languages(engine):
    topics = engine.content.topics
    missing = [t for t in REQUIRED if t not in topics]
    assert not missing
    untranslated = [(t, lang) for t in TRANSLATED for lang in ("en", "fr", "es") if lang not in topics[t].texts]
    assert not untranslated


def _examples(engine):
    for topic in engine.content.topics.values():
        for lang, text in topic.texts.items():
            for example in text.examples:
                yield topic.id, lang, example


def test_every_example_routes_to_its_topic(engine):
    wrong = []
    for topic_id, lang, example in _examples(engine):
        reply = engine.reply(Message(example, channel="sms"), State())
        if reply.topic != topic_id or reply.kind not in ("answer", "emergency", "command"):
            wrong.append(f"{topic_id} [{lang}] {example!r} -> {reply.topic} ({reply.kind}, {reply.confidence})")
        elif reply.lang != lang:
            wrong.append(f"{topic_id} [{lang}] {example!r} answered in {reply.lang}")
    assert not wrong, "\n".join(wrong)


def test_there_are_enough_examples(engine):
    total = sum(1 for _ in _examples(engine))
    assert total >= 6 * len(REQUIRED)


def test_keywords_belong_to_one_topic_each(engine):
    owner, clashes = {}, []
    for topic in engine.content.topics.values():
        for lang, text in topic.texts.items():
            for keyword in text.keywords:
                key = (lang, normalise(keyword))
                if key in owner and owner[key] != topic.id:
                    clashes.append(f"{keyword!r} ({lang}) in {owner[key]} and {topic.id}")
                owner[key] = topic.id
    assert not clashes, "\n".join(clashes)


def test_related_topics_exist(engine):
    topics = engine.content.topics
    dangling = [(t.id, r) for t in topics.values() for r in t.related if r not in topics]
    assert not dangling


def test_sources_and_review_date(engine):
    for topic in engine.content.topics.values():
        if topic.id not in ("greeting", "thanks", "help", "stop", "talk-to-staff", "privacy"):
            assert topic.sources, topic.id
        assert topic.reviewed.year >= 2026, topic.id


@pytest.mark.parametrize("topic_id", REQUIRED)
def test_first_sms_reply_fits_two_segments_in_every_language(engine, topic_id):
    topic = engine.content.topics[topic_id]
    for lang in topic.texts:
        state = State(lang=lang, lang_chosen=True)
        reply = engine._answer_topic(topic_id, lang, state, Message("x", channel="sms"))
        sent = segments.to_gsm7(reply.text)
        assert segments.is_gsm7(sent)
        assert segments.segment_count(sent) <= 2, (topic_id, lang, len(sent), reply.text)
        # The answer itself is written to fit, so MORE only carries the optional parts.
        answer = render(topic.texts[lang].answer, engine.values[lang])
        assert segments.segment_count(segments.to_gsm7(answer)) <= 2, (topic_id, lang)


@pytest.mark.parametrize("topic_id", EMERGENCY_TOPICS)
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_emergency_texts_start_with_the_emergency_number(engine, topic_id, lang):
    text = engine.content.topics[topic_id].texts[lang].emergency
    assert text.startswith("{emergency}"), (topic_id, lang)
    rendered = render(text, engine.values[lang])
    assert rendered.startswith(engine.config.emergency_number)
    assert segments.segment_count(segments.to_gsm7(rendered)) <= 2


def test_content_uses_placeholders_not_literal_numbers(engine):
    literal = re.compile(r"\b(911|988|811|211|1-888-688-6677)\b")
    for topic in engine.content.topics.values():
        for lang, text in topic.texts.items():
            for part in [text.answer, text.emergency, *text.more]:
                assert not literal.search(part), (topic.id, lang, part)

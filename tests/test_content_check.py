"""`python -m bot content check`: a copy of the real content, broken one way per test, must be
reported with the right file, the right line and what to do."""
import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import sys

import pytest

from bot import config as config_module
from bot.editing import check as content_check
from bot.editing.check import check
from tests.helpers.common import ROOT


@pytest.fixture(scope="module")
def today(cfg):
    """The newest review date in the real content, so a copy has nothing stale or in the future."""
    import tomllib
    dates = [tomllib.loads(p.read_text(encoding="utf-8"))["reviewed"] for p in (ROOT / "content" / "topics").glob("*.toml")]
    return max(dates)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


@pytest.fixture
def run_check(cfg, content, today):
    def _run(strict=False, config=None):
        return check(config or cfg, content, today=today, strict=strict)
    return _run


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path, needle, after=0):
    """1-based number of the first line (after line `after`) containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number > after and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def warnings(problems):
    return [p for p in problems if p.severity == "warning"]


def only(problems, file, text):
    """The one problem in `file` whose message contains `text`."""
    found = [p for p in problems if p.file == file and text in p.message]
    assert len(found) == 1, (file, text, [str(p) for p in problems])
    return found[0]


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "bot", "content", "check", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)


# -- the real content ---------------------------------------------------------------------------

def test_real_content_has_no_errors(cfg, capsys):
    # How long it takes is measured by `make bench`, not asserted here (a loaded machine made it flaky).
    problems = check(cfg)
    assert not errors(problems), "\n".join(map(str, problems))
    # Accented letters are part of French and Spanish: no "SMS alphabet" warnings for them.
    assert not [p for p in problems if "alphabet" in p.message], "\n".join(map(str, problems))
    assert capsys.readouterr() == ("", "")   # check() never prints: the app uses it to refuse a reload


def test_cli_on_real_content_exits_0_with_a_summary():
    run = cli()
    assert run.returncode == 0, run.stdout + run.stderr
    topics = len(list((ROOT / "content" / "topics").glob("*.toml")))
    assert re.search(rf"^0 errors, \d+ warnings? in {topics} topics$", run.stdout, re.M), run.stdout


# -- 1. what load() refuses: reported, and nothing else checked ---------------------------------

def test_bad_toml(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, 'title = "Naloxone (Narcan)"', 'title = "Naloxone (Narcan)')
    problems = run_check()
    p = only(problems, "content/topics/naloxone.toml", "not valid TOML")
    assert p.severity == "error"
    assert p.line == line_of(path, 'title = "Naloxone (Narcan)')
    assert "quotes and brackets" in p.message
    # Loading failed: the later checks (examples through the engine...) do not run.
    assert not [q for q in problems if "example" in q.message]


def test_cli_exit_1_and_format_on_errors(content):
    edit(content / "topics" / "naloxone.toml", 'title = "Naloxone (Narcan)"', 'title = "Naloxone (Narcan)')
    run = cli("--content", str(content))
    assert run.returncode == 1
    line = line_of(content / "topics" / "naloxone.toml", 'title = "Naloxone (Narcan)')
    assert re.search(rf"^content/topics/naloxone.toml:{line}: error: not valid TOML", run.stdout, re.M), run.stdout
    assert re.search(r"^[1-9]\d* errors?, \d+ warnings? in \d+ topics$", run.stdout.splitlines()[-1])


def test_unknown_field_in_a_section(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, 'title = "Naloxone (Narcan)"', 'title = "Naloxone (Narcan)"\nanswr = "typo"')
    p = only(run_check(), "content/topics/naloxone.toml", "unknown key `en.answr`")
    assert p.line == line_of(path, "answr =")
    assert "answer" in p.message.split("`en.answr`")[1]          # lists the fields it could have meant


def test_unknown_field_at_the_top(run_check, content):
    """The schema refuses it: `relatd` would otherwise just do nothing."""
    path = content / "topics" / "naloxone.toml"
    edit(path, 'related = [', 'relatd = [')
    p = only(run_check(), "content/topics/naloxone.toml", "unknown key `relatd`")
    assert p.severity == "error" and p.line == 3
    assert "related" in p.message


def test_missing_answer(run_check, content):
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'answer = """.*?"""\n', "", text, count=1, flags=re.S), encoding="utf-8")
    p = only(run_check(), "content/topics/naloxone.toml", "`en.answer`")
    assert p.severity == "error"
    assert p.line == line_of(path, "[en]")
    assert "[en]" in p.message and "add it" in p.message


def test_misspelt_key_in_a_topic_names_its_path_and_line(run_check, content):
    """`keywrods` would leave the topic with no keywords; it is refused, once, with what was meant."""
    path = content / "topics" / "naloxone.toml"
    edit(path, "keywords = [", "keywrods = [")
    problems = run_check()
    p = only(problems, "content/topics/naloxone.toml", "`en.keywrods`")
    assert p.severity == "error" and p.line == line_of(path, "keywrods = [")
    assert p.message == "unknown key `en.keywrods` (did you mean `keywords`?)"
    assert not [q for q in problems if "`en.keywords` is missing" in q.message]    # said once, not twice
    # Its training phrasings are not also reported as naming no topic: the topic file is there.
    assert not [q for q in problems if "there is no topic 'naloxone'" in q.message]


def test_misspelt_key_in_emergency_toml_names_its_path_and_line(run_check, content):
    """A misspelt concept list (`setled`) would silently switch that concept off: refused, with what was meant."""
    path = content / "emergency.toml"
    text = path.read_text(encoding="utf-8")
    fr_start = text.index("\n[fr]\n")
    path.write_text(text[:fr_start] + text[fr_start:].replace("\nsettled = [", "\nsetled = [", 1), encoding="utf-8")
    p = only(run_check(), "content/emergency.toml", "`fr.setled`")
    assert p.severity == "error" and p.line == line_of(path, "setled = [")
    assert p.message == "unknown key `fr.setled` (did you mean `settled`?)"


def test_a_wrong_type_in_a_topic_names_its_line_and_the_fix(run_check, content):
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    reviewed = re.search(r"^reviewed = (\S+)$", text, re.M).group(1)
    edit(path, f"reviewed = {reviewed}", f'reviewed = "{reviewed}"')
    p = only(run_check(), "content/topics/naloxone.toml", "`reviewed`")
    assert p.line == line_of(path, "reviewed =")
    assert p.message == f"`reviewed` must be a date, got '{reviewed}'; write it like 2026-11-24, without quotes"


def test_unknown_section_in_a_language_file(run_check, content):
    path = content / "lang" / "fr.toml"
    edit(path, "[text]", "[txet]")
    p = only(run_check(), "content/lang/fr.toml", "[txet]")
    assert p.line == line_of(path, "[txet]")
    assert p.message == "unknown section `[txet]` (did you mean `text`?)"


def test_cli_names_a_misspelt_key_with_file_and_line(content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "keywords = [", "keywrods = [")
    run = cli("--content", str(content))
    assert run.returncode == 1
    line = line_of(path, "keywrods = [")
    assert (f"content/topics/naloxone.toml:{line}: error: unknown key `en.keywrods` (did you mean `keywords`?)"
            in run.stdout.splitlines()), run.stdout
    assert run.stdout.splitlines()[-1].startswith("1 error, ")


def test_placeholder_not_in_config(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "Overdose? Call {emergency}", "Overdose? Call {emergancy}")
    p = only(run_check(), "content/topics/naloxone.toml", "{emergancy}")
    assert p.line == line_of(path, "{emergancy}")
    assert "fix the spelling" in p.message


# -- 2. keywords --------------------------------------------------------------------------------

def test_keyword_claimed_by_two_topics(run_check, content):
    path = content / "topics" / "overdose.toml"
    edit(path, "keywords = [\n", 'keywords = [\n  "Narcan!",\n')
    p = only(run_check(), "content/topics/overdose.toml", "'Narcan!'")
    assert p.severity == "error"
    assert p.line == line_of(path, '"Narcan!"')
    assert "content/topics/naloxone.toml, line 16" in p.message      # where the other one is
    assert "'naloxone'" in p.message and "remove it from one" in p.message


# -- 3. examples go through the real engine -----------------------------------------------------

def test_example_that_goes_to_another_topic(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, '  "narcam",\n', '  "narcam",\n  "what is a k hole",\n  "my friend is not breathing",\n')
    problems = run_check()
    p = only(problems, "content/topics/naloxone.toml", "'what is a k hole'")
    assert p.severity == "error"
    assert p.line == line_of(path, "what is a k hole")
    assert "goes to topic 'ketamine' (content/topics/ketamine.toml)" in p.message
    assert "keywords" in p.message and "reword" in p.message
    p = only(problems, "content/topics/naloxone.toml", "'my friend is not breathing'")
    assert p.line == line_of(path, "my friend is not breathing")
    assert "emergency" in p.message and "'overdose'" in p.message


def test_same_example_in_two_topics(run_check, content):
    path = content / "topics" / "overdose.toml"
    edit(path, '  "overdos signs",\n', '  "overdos signs",\n  "How do I use Narcan?",\n')
    p = only(run_check(), "content/topics/overdose.toml", "'How do I use Narcan?'")
    assert p.line == line_of(path, "How do I use Narcan?")
    assert "content/topics/naloxone.toml, line 21" in p.message and "remove it from one" in p.message


def test_example_that_is_a_command(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, '  "narcam",\n', '  "narcam",\n  "Menu",\n')
    p = only(run_check(), "content/topics/naloxone.toml", "'Menu'")
    assert p.line == line_of(path, '"Menu"') and "command" in p.message


def test_example_with_no_confident_match(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, '  "narcam",\n', '  "narcam",\n  "fentanyl overdose",\n')
    p = only(run_check(), "content/topics/naloxone.toml", "'fentanyl overdose'")
    assert p.line == line_of(path, '"fentanyl overdose"')
    assert "no confident match" in p.message and "did you mean" in p.message and "fentanyl" in p.message
    assert "keywords" in p.message and "reword the example" in p.message


def test_french_example_in_the_right_section_line(run_check, content):
    """The same words in two sections: the line is the one in the section that has the problem."""
    path = content / "topics" / "naloxone.toml"
    edit(path, '  "comment donner le narcan",\n', '  "comment donner le narcan",\n  "fentanyl",\n')
    p = only(run_check(), "content/topics/naloxone.toml", "'fentanyl'")
    assert p.message.startswith("[fr]") and p.line == line_of(path, '"fentanyl"')


# -- 4. SMS budgets and the SMS alphabet --------------------------------------------------------

LONG = "Naloxone reverses an opioid overdose for a while. " * 7     # 350 characters


def test_answer_over_its_sms_budget(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, 'answer = """Overdose? Call', f'answer = """{LONG}Overdose? Call')
    p = only(run_check(), "content/topics/naloxone.toml", "[en] answer is")
    assert p.severity == "error"
    assert p.line == line_of(path, 'answer = """')
    assert "is 5 SMS long: 616 characters once {emergency}, {naloxone_where} are filled in" in p.message
    assert "2 SMS hold 306; cut 310 characters" in p.message
    assert "cut" in p.message and "`more`" in p.message


def test_more_part_and_emergency_text_over_budget(run_check, content):
    path = content / "topics" / "overdose.toml"
    edit(path, '  """Stay until help arrives:', f'  """{LONG}Stay until help arrives:')
    edit(path, 'emergency = """{emergency}: call now.', 'emergency = """{emergency}: call now. ' + LONG)
    problems = run_check()
    more = only(problems, "content/topics/overdose.toml", "`more` part 2")
    assert more.line == line_of(path, "Stay until help arrives") and "split it" in more.message
    emergency = only(problems, "content/topics/overdose.toml", "[en] emergency is")
    assert emergency.line == line_of(path, "emergency = ")


def words(n):
    """Plain text exactly n characters long, no space at either end."""
    text = ("Carry naloxone and keep it close. " * 20)[:n].rstrip()
    return text + "." * (n - len(text))


def test_budget_counts_filled_placeholders_and_double_characters(run_check, content):
    """300 characters fit two SMS (306); {nors} becomes 14 characters, and ~ costs two."""
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r'answer = """(.*?)"""', text).group(1)
    path.write_text(text.replace(old, words(293) + " {nors}", 1), encoding="utf-8")     # 300 as typed
    p = only(run_check(), "content/topics/naloxone.toml", "[en] answer is")
    assert "3 SMS long: 308 characters once {nors} is filled in" in p.message and "cut 2 characters" in p.message
    path.write_text(text.replace(old, words(280) + "~" * 20, 1), encoding="utf-8")     # 300 typed, 320 sent
    p = only(run_check(), "content/topics/naloxone.toml", "[en] answer is")
    assert "320 characters" in p.message and "count as two" in p.message and "cut 14 characters" in p.message
    path.write_text(text.replace(old, words(280) + "-" * 20, 1), encoding="utf-8")
    assert not [q for q in run_check() if "[en] answer is" in q.message]


def test_an_answer_that_fits_only_without_the_more_prompt_is_a_warning(run_check, content):
    """naloxone has `more`, so its first SMS ends with "Reply MORE..." too: 290 characters of answer
    fit two SMS alone, not with the prompt, and the last sentence would wait for MORE."""
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r'answer = """(.*?)"""', text).group(1)
    path.write_text(text.replace(old, words(290), 1), encoding="utf-8")
    problems = run_check()
    p = only(problems, "content/topics/naloxone.toml", "[en] answer with the MORE prompt")
    assert p.severity == "warning" and p.line == line_of(path, 'answer = """')
    assert "waits for MORE" in p.message and re.search(r"cut \d+ characters", p.message)
    # The filler drops the English facts, so only the "same facts as English" check may complain.
    assert not [e for e in errors(problems) if "same" not in e.message]
    path.write_text(text.replace(old, words(250), 1), encoding="utf-8")
    assert not [q for q in run_check() if "MORE prompt" in q.message]


def test_curly_quote_and_emoji_are_warnings(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "Naloxone can't hurt", "Naloxone can\u2019t hurt")
    edit(path, "show friends where it is.", "show friends where it is \U0001F642")
    problems = run_check()
    quote = only(problems, "content/topics/naloxone.toml", "\u2019")
    assert quote.severity == "warning"
    assert quote.line == line_of(path, "can\u2019t hurt")
    assert "[en] more" in quote.message and "U+2019" in quote.message and "type ' instead" in quote.message
    assert f"column {path.read_text(encoding='utf-8').splitlines()[quote.line - 1].index(chr(0x2019)) + 1}" in quote.message
    emoji = only(problems, "content/topics/naloxone.toml", "\U0001F642")
    assert emoji.severity == "warning" and emoji.line == line_of(path, "\U0001F642")
    assert "remove it" in emoji.message
    assert not errors(problems)


def test_warnings_alone_exit_0(content):
    edit(content / "topics" / "naloxone.toml", "Naloxone can't hurt", "Naloxone can\u2019t hurt")
    edit(content / "topics" / "naloxone.toml", "30-90 min", "30\u201490 min")
    run = cli("--content", str(content))
    assert run.returncode == 0, run.stdout
    assert "warning: [en] more: the curly apostrophe" in run.stdout
    assert "warning: [en] answer: the long dash (em dash)" in run.stdout and "type - instead" in run.stdout
    assert re.search(r"^0 errors, [2-9] warnings in \d+ topics$", run.stdout, re.M), run.stdout


def test_accented_letters_are_not_flagged(run_check, content):
    edit(content / "topics" / "naloxone.toml", "Overdose? Call", "Overdose? Call réverses façade àâêîôûç")
    assert not [p for p in run_check() if "alphabet" in p.message]


# -- 5. required languages ----------------------------------------------------------------------

def test_required_translation_missing(run_check, content, cfg):
    assert "naloxone" in cfg.must_translate
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("\n[es]")] + "\n", encoding="utf-8")
    p = only(run_check(), "content/topics/naloxone.toml", "no [es] section")
    assert p.severity == "error" and p.line == line_of(path, "[en]")
    assert "must_translate" in p.message and "translate it" in p.message


def test_topic_not_required_may_miss_a_language(run_check, content, cfg):
    assert "fentanyl" not in cfg.must_translate
    path = content / "topics" / "fentanyl.toml"
    text = path.read_text(encoding="utf-8")
    if "\n[es]" in text:
        path.write_text(text[:text.index("\n[es]")] + "\n", encoding="utf-8")
    assert not [p for p in run_check() if "no [es] section" in p.message]


def test_must_translate_names_a_missing_topic(run_check, cfg):
    problems = run_check(config=dataclasses.replace(cfg, must_translate=(*cfg.must_translate, "overdoze")))
    p = only(problems, "config.toml", "'overdoze'")
    assert "did you mean 'overdose'" in p.message


@pytest.mark.parametrize("table,key", [
    ({"must_translate": "overdose"}, "content.must_translate"),
    ({"must_translate": ["Overdose"]}, "content.must_translate"),
    ({"review_max_days": 0}, "content.review_max_days"),
    ({"review_max_days": "a year"}, "content.review_max_days"),
    ({"review_max_day": 30}, "content.review_max_day"),
])
def test_config_content_keys_are_checked(table, key):
    import tomllib
    data = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    data["content"] = table
    with pytest.raises(config_module.ConfigError) as err:
        config_module.parse(data)
    assert key in str(err.value)


def test_config_content_keys_have_defaults():
    import tomllib
    data = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    data.pop("content")
    parsed = config_module.parse(data)
    assert parsed.must_translate == () and parsed.review_max_days == 365


def test_cli_exit_2_on_broken_config(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text((ROOT / "config.toml").read_text().replace("review_max_days = 365", "review_max_days = -1"))
    run = cli("--config", str(bad), "--content", str(ROOT / "content"))
    assert run.returncode == 2
    assert "content.review_max_days" in run.stderr


# -- 6. related links ---------------------------------------------------------------------------

def test_related_topic_that_does_not_exist(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, 'related = ["overdose", "recovery-position"', 'related = ["overdose", "recovery-positon"')
    p = only(run_check(), "content/topics/naloxone.toml", "'recovery-positon'")
    assert p.severity == "error" and p.line == line_of(path, "related =")
    assert "did you mean 'recovery-position'" in p.message and "fix the name or remove it" in p.message


# -- 7. review dates ----------------------------------------------------------------------------

def test_stale_review_date_is_a_warning_and_an_error_with_strict(run_check, content, today):
    path = content / "topics" / "naloxone.toml"
    old = today - dt.timedelta(days=400)
    edit(path, "reviewed = ", f"reviewed = {old}\n#")
    p = only(run_check(), "content/topics/naloxone.toml", "last reviewed")
    assert p.severity == "warning" and p.line == line_of(path, "reviewed =")
    assert "400 days ago" in p.message and f"set reviewed = {today}" in p.message
    p = only(run_check(strict=True), "content/topics/naloxone.toml", "last reviewed")
    assert p.severity == "error"


def test_stale_review_date_exit_codes(content):
    edit(content / "topics" / "naloxone.toml", "reviewed = ", "reviewed = 2001-01-01\n#")
    run = cli("--content", str(content))
    assert run.returncode == 0 and "warning: last reviewed 2001-01-01" in run.stdout, run.stdout
    run = cli("--content", str(content), "--strict")
    assert run.returncode == 1 and "error: last reviewed 2001-01-01" in run.stdout, run.stdout


def test_review_max_days_comes_from_config(run_check, content, cfg, today):
    edit(content / "topics" / "naloxone.toml", "reviewed = ", f"reviewed = {today - dt.timedelta(days=40)}\n#")
    assert not [p for p in run_check() if "last reviewed" in p.message]
    short = dataclasses.replace(cfg, review_max_days=30)
    assert only(run_check(config=short), "content/topics/naloxone.toml", "(the limit is 30 days)")


def test_future_review_date_is_an_error(run_check, content, today):
    path = content / "topics" / "naloxone.toml"
    edit(path, "reviewed = ", f"reviewed = {today + dt.timedelta(days=1)}\n#")
    p = only(run_check(), "content/topics/naloxone.toml", "in the future")
    assert p.severity == "error" and p.line == line_of(path, "reviewed =")
    # The command line's today is the real one, which 2999 is ahead of.
    edit(path, f"reviewed = {today + dt.timedelta(days=1)}", "reviewed = 2999-01-01")
    run = cli("--content", str(content))
    assert run.returncode == 1 and "error: reviewed = 2999-01-01 is in the future" in run.stdout


# -- the cheap extras ---------------------------------------------------------------------------

def test_emergency_text_must_start_with_the_number(run_check, content):
    path = content / "topics" / "overdose.toml"
    edit(path, 'emergency = """{emergency}: call now.', 'emergency = """Call {emergency} now.')
    p = only(run_check(), "content/topics/overdose.toml", "[en] emergency must start with {emergency}")
    assert p.severity == "error" and p.line == line_of(path, 'emergency = """Call')


def test_emergency_kind_naming_a_missing_topic(run_check, content):
    path = content / "emergency.toml"
    edit(path, 'topic = "alcohol-poisoning"', 'topic = "alcohol-poisonning"')
    p = only(run_check(), "content/emergency.toml", "'alcohol-poisonning'")
    assert p.severity == "error" and p.line == line_of(path, "alcohol-poisonning")
    assert "did you mean 'alcohol-poisoning'" in p.message


def test_literal_number_instead_of_placeholder(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "Overdose? Call {emergency}", "Overdose? Call 911")
    p = only(run_check(), "content/topics/naloxone.toml", "911")
    assert p.severity == "warning" and p.line == line_of(path, "Overdose? Call 911")
    assert "write {emergency} instead" in p.message


def test_section_without_examples(run_check, content):
    path = content / "topics" / "naloxone.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"examples = \[.*?\]\n", "", text, count=1, flags=re.S), encoding="utf-8")
    p = only(run_check(), "content/topics/naloxone.toml", "[en] has no examples")
    assert p.severity == "warning" and p.line == line_of(path, "[en]")


def test_problems_are_sorted_by_file_then_line(run_check, content):
    edit(content / "topics" / "overdose.toml", 'related = ["naloxone"', 'related = ["naloxon"')
    edit(content / "topics" / "naloxone.toml", "reviewed = ", "reviewed = 2999-01-01\n#")
    edit(content / "topics" / "naloxone.toml", "Overdose? Call {emergency}", "Overdose? Call 911")
    problems = run_check()
    assert len(problems) >= 3
    assert [(p.file, p.line) for p in problems] == sorted((p.file, p.line) for p in problems)
    assert "2 errors, 1 warning in 38 topics" == content_check.summary(problems, 38)


def test_bad_pattern_in_emergency_toml(run_check, content):
    path = content / "emergency.toml"
    edit(path, "now = [\n", "now = [\n  '\\b(not breathing\\b',\n")
    problems = run_check()
    p = only(problems, "content/emergency.toml", "(not breathing")
    assert p.severity == "error" and p.line == line_of(path, "(not breathing")
    assert "[en] now" in p.message and "brackets" in p.message


def test_default_kind_must_exist(run_check, content):
    edit(content / "emergency.toml", 'default_kind = "opioid"', 'default_kind = "opiod"')
    p = only(run_check(), "content/emergency.toml", "default_kind")
    assert p.line == line_of(content / "emergency.toml", "default_kind =") and "opioid" in p.message


def test_language_file_missing_texts(run_check, content):
    path = content / "lang" / "fr.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^mixing_known = .*\n", "", text, flags=re.M)
    path.write_text(re.sub(r"^no_more = .*\n", "", text, flags=re.M), encoding="utf-8")
    problems = run_check()
    p = only(problems, "content/lang/fr.toml", "`mixing_known`")
    assert p.severity == "error" and p.line == line_of(path, "[text]")
    p = only(problems, "content/lang/fr.toml", "`no_more`")
    assert p.severity == "warning" and "English is sent" in p.message


def test_odd_content_gives_an_error_not_a_crash(run_check, content):
    """The running app uses check() to refuse a reload: it must return, not raise."""
    path = content / "emergency.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text('kinds = "none"\n' + re.sub(r"(?ms)^\[kinds\..*?(?=^\[en\])", "", text), encoding="utf-8")
    problems = run_check()
    assert errors(problems)
    assert all(p.file.startswith("content") for p in problems)


def test_cli_exit_2_without_a_content_folder(tmp_path):
    run = cli("--content", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and "no content folder" in run.stderr


def test_a_menu_too_long_for_two_sms_is_an_error(run_check, content):
    """MENU lists topic titles: a longer title in one language can push that language's MENU past
    two SMS (the French titles once did)."""
    edit(content / "topics" / "supplies.toml", 'title = "Matériel de consommation"',
         'title = "Matériel de réduction des méfaits, gratuit, sans pièce d\'identité"')
    problems = run_check()
    p = only(problems, "content/menu.toml", "[fr] MENU is 3 SMS long")
    assert p.severity == "error" and "shorten those titles in [fr]" in p.message
    assert not [q for q in problems if "[en] MENU" in q.message or "[es] MENU" in q.message]


# -- no edit may make the bot miss a known emergency --------------------------------------------------

def test_a_typo_added_as_an_example_is_refused_and_does_not_switch_off_detection(cfg, content, today):
    """Adding "unresponsve recovery position" to a topic's examples once taught the speller that the
    typo is a word: "my friend is unresponsve" stopped being an emergency, and the check published the
    edit. Now the edit is refused (the example itself reads as an emergency: someone unresponsive is
    one), and danger words are corrected towards the danger vocabulary alone, so even a bot built from
    the edited content still raises the alarm and misses no known emergency."""
    from bot.content.load import load
    from bot.engine.core import Engine
    from bot.messages import Message
    topic = content / "topics" / "recovery-position.toml"
    edit(topic, 'examples = [', 'examples = ["unresponsve recovery position", ')
    problems = errors(check(cfg, content, today=today))
    refused = [p for p in problems if "unresponsve recovery position" in p.message]
    assert refused and refused[0].file.endswith("recovery-position.toml"), problems
    assert refused[0].line == line_of(topic, "unresponsve recovery position")
    assert not [p for p in problems if "known emergency" in p.message], problems
    engine = Engine(dataclasses.replace(cfg, content_dir=content), load(content, cfg.languages, cfg.placeholders()))
    for text in ["my friend is unresponsve", "my frend is unresponsve and cold", "hes unresponsve"]:
        assert engine.read(Message(text)).alarm is not None, text


def test_an_edit_that_makes_the_bot_miss_a_known_emergency_is_refused(cfg, content, today):
    """Deleting the rules an editor thought were redundant, and teaching the model that the known
    emergencies are calm: the check names the emergency lines it no longer detects, with file and line."""
    import tomllib
    path = content / "emergency.toml"
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    for pattern in spec["en"]["now"] + spec["en"]["maybe"]:
        edit(path, "  '" + pattern + "',\n", "")
    known = (content / "training" / "en" / "_emergency.txt").read_text(encoding="utf-8").splitlines()
    calm = content / "training" / "en" / "_not_emergency.txt"
    calm.write_text(calm.read_text(encoding="utf-8") + "\n".join(line.split(":", 1)[1].strip() for line in known[:60]) + "\n",
                    encoding="utf-8")
    missed = [p for p in errors(check(cfg, content, today=today)) if "known emergency" in p.message]
    assert missed, "the check let through an edit after which known emergencies go undetected"
    first = missed[0]
    assert first.file.endswith("_emergency.txt") and first.line >= 1
    assert "no longer read as an emergency" in first.message and "undo" in first.message


# -- universal steps and the same facts in every language (issue 15) -----------------------------

def test_an_emergency_text_whose_first_sms_lacks_a_universal_step(run_check, content):
    """'Stay with them' pushed past the first 153 characters: a phone may show it late."""
    path = content / "topics" / "overdose.toml"
    edit(path, 'emergency = """{emergency}: call now.', 'emergency = """{emergency}: call now, right now, this minute.')
    p = only(run_check(), "content/topics/overdose.toml", "[en] emergency: the first SMS")
    assert p.severity == "error" and p.line == line_of(path, 'emergency = """')
    assert "'stay'" in p.message and "universal_steps_markers" in p.message


def test_each_language_checks_its_own_steps(run_check, content):
    path = content / "topics" / "alcohol-poisoning.toml"
    edit(path, "Opioïdes possibles : naloxone. ", "")
    p = only(run_check(), "content/topics/alcohol-poisoning.toml", "[fr] emergency: the first SMS")
    assert "'naloxone'" in p.message


def test_emergency_self_starts_with_the_number_and_carries_its_steps(run_check, content):
    path = content / "topics" / "overdose.toml"
    edit(path, "Unlock the door. ", "")
    p = only(run_check(), "content/topics/overdose.toml", "[en] emergency_self: the first SMS")
    assert "'door'" in p.message and p.line == line_of(path, "emergency_self = ")
    edit(path, 'emergency_self = """{emergency}: call now', 'emergency_self = """Call {emergency} now')
    p = only(run_check(), "content/topics/overdose.toml", "[en] emergency_self must start with {emergency}")
    assert p.severity == "error"


def test_a_language_file_without_step_markers(run_check, content):
    path = content / "lang" / "es.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("[universal_steps_markers]")], encoding="utf-8")
    found = [p for p in run_check() if p.file == "content/lang/es.toml" and "universal_steps_markers" in p.message]
    assert found and all(p.severity == "error" for p in found)
    assert any("'overdose'" in p.message for p in found)


def test_a_translation_with_another_number_is_an_error(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "Rien après 2-3 min?", "Rien après 3-4 min?")
    p = only(run_check(), "content/topics/naloxone.toml", "[fr] answer and more does not state the same numbers")
    assert p.severity == "error" and "missing: 2-3" in p.message and "not in English: 3-4" in p.message
    assert p.line == line_of(path, "Rien après 3-4 min?")


def test_a_translation_missing_a_service_is_an_error(run_check, content):
    path = content / "topics" / "naloxone.toml"
    edit(path, "Kits gratis: {naloxone_where}. ", "")
    p = only(run_check(), "content/topics/naloxone.toml", "[es] answer and more does not state the same services")
    assert "missing: naloxone_where" in p.message


def test_a_typed_number_agrees_with_its_placeholder(run_check, content):
    """'911' typed in English and {emergency} in French say the same: only the typed-number warning."""
    path = content / "topics" / "naloxone.toml"
    edit(path, "Overdose? Call {emergency}", "Overdose? Call 911")
    assert not [p for p in run_check() if "same" in p.message]


def test_named_topics_and_kind_about_must_exist(run_check, content):
    """[named] and a kind's `about` send a topic's answer after the emergency steps: a typo would
    leave the reply without it, so the check stops it."""
    path = content / "emergency.toml"
    edit(path, "xylazine = '", "xylazin = '")
    edit(path, 'about = "cold-weather"', 'about = "cold-wether"')
    problems = run_check()
    p = only(problems, "content/emergency.toml", "'xylazin'")
    assert p.severity == "error" and p.line == line_of(path, "xylazin = '") and "did you mean 'xylazine'" in p.message
    p = only(problems, "content/emergency.toml", "'cold-wether'")
    assert p.severity == "error" and p.line == line_of(path, 'about = "cold-wether"')


def test_bad_pattern_for_a_request_for_a_person(run_check, content):
    """content/lang/*.toml `asks_for_person` is compiled into the engine: a broken pattern is an error
    naming the file and line, not a crash when the bot loads."""
    path = content / "lang" / "en.toml"
    edit(path, "asks_for_person = [\n", "asks_for_person = [\n  '\\b(talk to a (person\\b',\n")
    p = only(run_check(), "content/lang/en.toml", "(talk to a (person")
    assert p.severity == "error" and p.line == line_of(path, "(talk to a (person")
    assert "asks_for_person" in p.message and "brackets" in p.message

"""Check the content folder for editors: every problem with its file, line and what to change.

`check()` is plain Python: it never prints and never exits, so the running app can use it to refuse
a content reload that has errors. `python -m bot content check` (`main`) prints what it returns.

Errors stop content from going live (the bot would answer wrongly, or not fit an SMS); warnings
are worth fixing but do not block. What is checked, in order:
1. everything `bot.content.load.load()` refuses: bad TOML, and what the schemas in
   bot/content/schema.py refuse (missing or unknown keys and sections, wrong types, bad id), unknown
   {placeholders}, menu entries without a topic, broken mixing pairs; when loading fails the rest is
   not checked, since it needs the loaded content;
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
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.content.load import ContentError, load
from bot.editing.checks_budgets import BudgetChecks
from bot.editing.checks_common import ERROR, WARNING
from bot.editing.checks_emergencies import EmergencyChecks
from bot.editing.checks_routing import RoutingChecks
from bot.editing.checks_structure import StructureChecks
from bot.editing.checks_translations import TranslationChecks
from bot.tomlschema import Lines

__all__ = ["ERROR", "WARNING", "Problem", "check", "check_and_build", "format_problems", "has_errors", "main",
           "summary", "topic_count"]


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


# -- the checks ---------------------------------------------------------------------------------

class _Checker(StructureChecks, BudgetChecks, TranslationChecks, EmergencyChecks, RoutingChecks):
    """Runs the checks (one mixin per kind, in bot/editing/checks_*.py) over one content folder."""

    def __init__(self, config, content_dir: Path, today: dt.date, strict: bool):
        self.config = config
        self.dir = content_dir
        self.base = content_dir.parent
        self.today = today
        self.strict = strict
        self.problems: list[Problem] = []
        self.built = None       # the engine the examples were routed with
        self._lines: dict[Path, Lines] = {}

    def add(self, path, line, severity, message):
        self.problems.append(Problem(self.rel(path), int(line or 1), severity, message))

    def rel(self, path) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.base.resolve()).as_posix()
        except (ValueError, OSError):
            return str(path)

    def where(self, path: Path) -> Lines:
        if path not in self._lines:
            self._lines[path] = Lines(path)
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
                self.add(file, line, ERROR, message)
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
        for step in (self.keywords, self.budgets, self.translations, self.related,
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

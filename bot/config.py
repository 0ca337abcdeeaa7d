"""Load and check config.toml. A bad value stops start-up with the key's name and what is wrong."""
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.messages import TOPIC_ID

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config.toml"
KNOWN_LANGUAGES = ("en", "fr", "es")


class ConfigError(Exception):
    """A config problem, worded for the operator who has to fix it."""


@dataclass(frozen=True)
class Matching:
    answer: float = 0.7
    suggest: float = 0.4
    margin: float = 0.12
    max_choices: int = 3


@dataclass(frozen=True)
class Config:
    org_name: str
    emergency_number: str
    numbers: dict
    services: dict
    default_language: str
    languages: tuple
    matching: Matching
    state_hours: float
    conversation_hours: float
    sms_max_segments: int
    messages_per_minute: int
    optout_days: float
    public_url: str
    content_dir: Path
    staff_timezone: str = "UTC"
    staff_hours: dict = field(default_factory=dict)
    unanswered_days: float = 30.0
    must_translate: tuple = ()        # topic ids that need a section in every enabled language
    review_max_days: int = 365        # a topic's `reviewed` date older than this is flagged
    services_in: dict = field(default_factory=dict)   # language -> {service: its text in that language}
    whatsapp_template_sid: str = ""   # an approved WhatsApp template (Twilio ContentSid) for after 24 h
    log_level: str = "INFO"
    web_per_address_per_minute: int = 30   # /chat messages from one client address (all its visitors)
    phone_region: str = "CA"          # where a texter's number written without +country is from (scrubbing)

    def placeholders(self, lang: str | None = None) -> dict[str, str]:
        """Values content may use as {name}: every number, every service, and {org}; with `lang`,
        the services written in that language where config.toml has them ([services.fr] ...)."""
        values = {"org": self.org_name}
        values.update(self.numbers)
        values.update(self.services)
        values.update(self.services_in.get(lang, {}))
        return values


def _get(data: dict, dotted: str, kind, default=None, required=False):
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            if required:
                raise ConfigError(f"config: `{dotted}` is missing; add it to config.toml")
            return default
        node = node[part]
    if kind is float and isinstance(node, int) and not isinstance(node, bool):
        node = float(node)
    if not isinstance(node, kind) or isinstance(node, bool) and kind is not bool:
        raise ConfigError(f"config: `{dotted}` must be {kind.__name__}, got {node!r}")
    return node


def _string_table(data: dict, name: str, subtables=()) -> dict[str, str]:
    table = {k: v for k, v in _get(data, name, dict, default={}).items() if k not in subtables}
    for key, value in table.items():
        if isinstance(value, dict):
            raise ConfigError(f"config: `[{name}.{key}]` is not a language this bot knows ({', '.join(subtables) or 'none here'})")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"config: `{name}.{key}` must be a non-empty text, got {value!r}")
    return dict(table)


def _fraction(data: dict, dotted: str, default: float) -> float:
    value = _get(data, dotted, float, default=default)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"config: `{dotted}` must be between 0 and 1, got {value}")
    return value


def _positive(data: dict, dotted: str, kind, default):
    value = _get(data, dotted, kind, default=default)
    if value <= 0:
        raise ConfigError(f"config: `{dotted}` must be above 0, got {value}")
    return value


def parse(data: dict, content_dir: Path | None = None) -> Config:
    """Check a parsed config.toml and build a Config; raise ConfigError naming the bad key."""
    org = _get(data, "organisation.name", str, required=True).strip()
    if not org:
        raise ConfigError("config: `organisation.name` must not be empty")
    numbers = _string_table(data, "numbers")
    if "emergency" not in numbers:
        raise ConfigError("config: `numbers.emergency` is missing; set it (for example \"911\")")
    services = _string_table(data, "services", subtables=KNOWN_LANGUAGES)
    services_in = {}
    service_table = _get(data, "services", dict, default={})
    for lang in KNOWN_LANGUAGES:
        if isinstance(service_table.get(lang), dict):
            services_in[lang] = _string_table(data, f"services.{lang}")
            unknown = sorted(set(services_in[lang]) - set(services))
            if unknown:
                raise ConfigError(f"config: `services.{lang}.{unknown[0]}` is not in [services]; a translated "
                                  "service needs its default text in [services] too (check the spelling)")
    clash = set(numbers) & set(services) | ({"org"} & (set(numbers) | set(services)))
    if clash:
        raise ConfigError(f"config: `{sorted(clash)[0]}` is used twice; names in [numbers] and [services] must differ")
    languages = _get(data, "languages.enabled", list, default=["en"])
    for lang in languages:
        if lang not in KNOWN_LANGUAGES:
            raise ConfigError(f"config: `languages.enabled` has {lang!r}; known: {', '.join(KNOWN_LANGUAGES)}")
    default_lang = _get(data, "languages.default", str, default="en")
    if default_lang not in languages:
        raise ConfigError(f"config: `languages.default` is {default_lang!r}, which is not in `languages.enabled`")
    matching = Matching(
        answer=_fraction(data, "matching.answer", 0.7),
        suggest=_fraction(data, "matching.suggest", 0.4),
        margin=_fraction(data, "matching.margin", 0.12),
        max_choices=_positive(data, "matching.max_choices", int, 3),
    )
    if matching.suggest > matching.answer:
        raise ConfigError("config: `matching.suggest` must not be above `matching.answer`")
    if not 2 <= matching.max_choices <= 9:
        raise ConfigError("config: `matching.max_choices` must be from 2 to 9")
    return Config(
        org_name=org,
        emergency_number=numbers["emergency"],
        numbers=numbers,
        services=services,
        services_in=services_in,
        default_language=default_lang,
        languages=tuple(languages),
        matching=matching,
        state_hours=_positive(data, "retention.state_hours", float, 72.0),
        conversation_hours=_positive(data, "retention.conversation_hours", float, 72.0),
        sms_max_segments=_positive(data, "sms.max_segments", int, 2),
        messages_per_minute=_positive(data, "limits.messages_per_minute", int, 12),
        web_per_address_per_minute=_positive(data, "limits.web_per_address_per_minute", int, 30),
        optout_days=_positive(data, "retention.optout_days", float, 400.0),
        unanswered_days=_positive(data, "retention.unanswered_days", float, 30.0),
        staff_timezone=_timezone(_get(data, "staff.timezone", str, default="UTC")),
        staff_hours=_hours(_get(data, "staff.hours", dict, default={})),
        must_translate=_topic_ids(data, "content.must_translate"),
        review_max_days=_positive(data, "content.review_max_days", int, 365),
        whatsapp_template_sid=_content_sid(_get(data, "whatsapp.template_content_sid", str, default="")),
        log_level=_log_level(_get(data, "logging.level", str, default="INFO")),
        phone_region=_region(_get(data, "privacy.phone_region", str, default="CA")),
        public_url=_public_url(os.environ.get("PUBLIC_URL") or _get(data, "web.public_url", str, default="")),
        content_dir=Path(content_dir or ROOT / "content"),
    )


_CONTENT_KEYS = ("must_translate", "review_max_days")


def _topic_ids(data: dict, dotted: str) -> tuple:
    """`[content]` keys are checked here: a misspelt one would otherwise be silently ignored."""
    unknown = sorted(set(_get(data, "content", dict, default={})) - set(_CONTENT_KEYS))
    if unknown:
        raise ConfigError(f"config: `content.{unknown[0]}` is not a known key; [content] has {', '.join(_CONTENT_KEYS)}")
    ids = _get(data, dotted, list, default=[])
    for topic_id in ids:
        if not isinstance(topic_id, str) or not TOPIC_ID.match(topic_id):
            raise ConfigError(f"config: `{dotted}` has {topic_id!r}; list topic ids like \"overdose\" "
                              "(a topic file's name without .toml)")
    return tuple(dict.fromkeys(ids))


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"config: `staff.timezone` {name!r} is not a known time zone (e.g. America/Edmonton)") from None
    return name


# The weekdays as `staff.hours` names them, Monday first (datetime's weekday() numbering).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(table: dict) -> dict:
    import re as _re
    for day, span in table.items():
        if day not in DAYS:
            raise ConfigError(f"config: `staff.hours.{day}` is not a day; use {', '.join(DAYS)}")
        if not isinstance(span, str) or not _re.match(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$", span.strip()):
            raise ConfigError(f"config: `staff.hours.{day}` must look like \"09:00-17:00\", got {span!r}")
    return dict(table)


def _content_sid(value: str) -> str:
    import re as _re
    value = value.strip()
    if value and not _re.match(r"^HX[0-9a-fA-F]{32}$", value):
        raise ConfigError(f"config: `whatsapp.template_content_sid` must be a Twilio ContentSid (HX and 32 hex "
                          f"characters, from the Content Template Builder), got {value!r}")
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_level(value: str) -> str:
    if value.strip().upper() not in LOG_LEVELS:
        raise ConfigError(f"config: `logging.level` must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return value.strip().upper()


def _region(code: str) -> str:
    from phonenumbers import SUPPORTED_REGIONS
    if code.upper() not in SUPPORTED_REGIONS:
        raise ConfigError(f"config: `privacy.phone_region` must be a two-letter country code like \"CA\", got {code!r}")
    return code.upper()


def _public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError(f"config: `web.public_url` must start with https:// (got {value!r})")
    return value


def load(path: str | os.PathLike | None = None) -> Config:
    """Read config.toml (or $BOT_CONFIG) and check it."""
    path = Path(path or os.environ.get("BOT_CONFIG") or DEFAULT_PATH)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config: {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
    content_dir = os.environ.get("BOT_CONTENT") or path.parent / "content"
    return parse(data, Path(content_dir))

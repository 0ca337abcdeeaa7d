"""What config.toml may contain: every section and key, its type and its limits.

A key or section not listed here is an error (a misspelt `state_hour` would otherwise be ignored and
the default used without a word). Checks that compare two keys (suggest below answer, the default
language among the enabled ones...) are in bot/config.py, after these.
"""
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from bot.messages import TOPIC_ID
from bot.tomlschema import Strict

KNOWN_LANGUAGES = ("en", "fr", "es")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveNumber = Annotated[float, Field(gt=0)]
PositiveCount = Annotated[int, Field(gt=0)]
LanguageCode = Literal["en", "fr", "es"]


def _service_text(value: Any) -> str:
    if isinstance(value, dict):
        raise ValueError(f"is a section, but [services] only has sections for the languages this bot knows "
                         f"({', '.join(KNOWN_LANGUAGES)}); check its name")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty text in quotes, got {value!r}")
    return value.strip()


def _topic_id(value: str) -> str:
    if not TOPIC_ID.match(value):
        raise ValueError(f"has {value!r}; list topic ids like \"overdose\" (a topic file's name without .toml)")
    return value


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (e.g. America/Edmonton)") from None
    return name


def _span(span: str) -> str:
    if not re.match(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$", span.strip()):
        raise ValueError(f"must look like \"09:00-17:00\", got {span!r}")
    return span


def _content_sid(value: str) -> str:
    value = value.strip()
    if value and not re.match(r"^HX[0-9a-fA-F]{32}$", value):
        raise ValueError(f"must be a Twilio ContentSid (HX and 32 hex characters, from the Content Template "
                         f"Builder), got {value!r}")
    return value


def _log_level(value: str) -> str:
    if value.strip().upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return value.strip().upper()


def _region(code: str) -> str:
    from phonenumbers import SUPPORTED_REGIONS
    if code.upper() not in SUPPORTED_REGIONS:
        raise ValueError(f"must be a two-letter country code like \"CA\", got {code!r}")
    return code.upper()


def check_public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ValueError(f"must start with https:// (got {value!r})")
    return value


class Organisation(Strict):
    name: Text
    short_name: str = ""
    website: str = ""


class Numbers(BaseModel):
    """Any name may be added (each becomes a {placeholder}); `emergency` must be there."""
    model_config = {"extra": "allow", "strict": True, "frozen": True}
    __pydantic_extra__: dict[str, Text]
    emergency: Text


class Services(BaseModel):
    """Any name may be added; [services.fr] and the like hold the same services translated."""
    model_config = {"extra": "allow", "strict": True, "frozen": True}
    __pydantic_extra__: dict[str, Annotated[Any, AfterValidator(_service_text)]]
    en: dict[str, Text] | None = None
    fr: dict[str, Text] | None = None
    es: dict[str, Text] | None = None


class Languages(Strict):
    default: LanguageCode = "en"
    enabled: list[LanguageCode] = ["en"]


class Matching(Strict):
    answer: Fraction = 0.7
    suggest: Fraction = 0.4
    margin: Fraction = 0.12
    max_choices: Annotated[int, Field(ge=2, le=9)] = 3


class Retention(Strict):
    state_hours: PositiveNumber = 72.0
    conversation_hours: PositiveNumber = 72.0
    optout_days: PositiveNumber = 400.0
    unanswered_days: PositiveNumber = 30.0


Span = Annotated[str, AfterValidator(_span)]


class StaffHours(Strict):
    """A day left out is not staffed."""
    mon: Span | None = None
    tue: Span | None = None
    wed: Span | None = None
    thu: Span | None = None
    fri: Span | None = None
    sat: Span | None = None
    sun: Span | None = None


class Staff(Strict):
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    hours: StaffHours = StaffHours()


class Privacy(Strict):
    phone_region: Annotated[str, AfterValidator(_region)] = "CA"


class Limits(Strict):
    messages_per_minute: PositiveCount = 12
    web_per_address_per_minute: PositiveCount = 30


class Web(Strict):
    public_url: Annotated[str, AfterValidator(check_public_url)] = ""


class WhatsApp(Strict):
    template_content_sid: Annotated[str, AfterValidator(_content_sid)] = ""


class Logging(Strict):
    level: Annotated[str, AfterValidator(_log_level)] = "INFO"


class Sms(Strict):
    max_segments: PositiveCount = 2


class ContentRules(Strict):
    must_translate: list[Annotated[str, AfterValidator(_topic_id)]] = []
    review_max_days: PositiveCount = 365


class ConfigFile(Strict):
    """The whole of config.toml."""
    organisation: Organisation
    numbers: Numbers
    services: Services = Services()  # type: ignore[call-arg]  # its extra keys are the services
    languages: Languages = Languages()
    matching: Matching = Matching()
    retention: Retention = Retention()
    staff: Staff = Staff()
    privacy: Privacy = Privacy()
    limits: Limits = Limits()
    web: Web = Web()
    whatsapp: WhatsApp = WhatsApp()
    logging: Logging = Logging()
    sms: Sms = Sms()
    content: ContentRules = ContentRules()

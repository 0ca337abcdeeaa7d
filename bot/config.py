"""Load and check config.toml. A bad value stops start-up with the key's name, its line and what is
wrong; what the file may contain is in bot/config_schema.py."""
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.config_schema import KNOWN_LANGUAGES, ConfigFile, Matching, check_public_url
from bot.tomlschema import Lines, problems

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config.toml"


class ConfigError(Exception):
    """A config problem, worded for the operator who has to fix it."""


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


def parse(data: dict, content_dir: Path | None = None, source: Path | None = None) -> Config:
    """Check a parsed config.toml and build a Config; raise ConfigError naming every bad key, with
    its line when `source` (the file `data` was read from) is given."""
    lines = Lines(source) if source else None
    try:
        file = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_where(source, line) + text
                                     for line, text in sorted(problems(exc, ConfigFile, lines)))) from None

    def refuse(loc: tuple, text: str):
        line = lines.line_of(loc) if lines else 1
        raise ConfigError(_where(source, line) + text)

    numbers = dict(file.numbers.model_extra or {}, emergency=file.numbers.emergency)
    services = dict(file.services.model_extra or {})
    services_in = {}
    for lang in KNOWN_LANGUAGES:
        translated = getattr(file.services, lang)
        if translated is not None:
            services_in[lang] = dict(translated)
            unknown = sorted(set(translated) - set(services))
            if unknown:
                refuse(("services", lang, unknown[0]),
                       f"`services.{lang}.{unknown[0]}` is not in [services]; a translated service needs its "
                       "default text in [services] too (check the spelling)")
    clash = set(numbers) & set(services) | ({"org"} & (set(numbers) | set(services)))
    if clash:
        name = sorted(clash)[0]
        refuse(("services", name), f"`{name}` is used twice; names in [numbers] and [services] must differ")
    languages = file.languages.enabled
    if file.languages.default not in languages:
        refuse(("languages", "default"), f"`languages.default` is {file.languages.default!r}, which is not in "
                                         "`languages.enabled`")
    if file.matching.suggest > file.matching.answer:
        refuse(("matching", "suggest"), "`matching.suggest` must not be above `matching.answer`")
    try:
        url = check_public_url(os.environ.get("PUBLIC_URL") or file.web.public_url)
    except ValueError as exc:
        raise ConfigError(f"config: PUBLIC_URL (or `web.public_url`) {exc}") from None
    return Config(
        org_name=file.organisation.name,
        emergency_number=numbers["emergency"],
        numbers=numbers,
        services=services,
        services_in=services_in,
        default_language=file.languages.default,
        languages=tuple(languages),
        matching=file.matching,
        state_hours=file.retention.state_hours,
        conversation_hours=file.retention.conversation_hours,
        sms_max_segments=file.sms.max_segments,
        messages_per_minute=file.limits.messages_per_minute,
        web_per_address_per_minute=file.limits.web_per_address_per_minute,
        optout_days=file.retention.optout_days,
        unanswered_days=file.retention.unanswered_days,
        staff_timezone=file.staff.timezone,
        staff_hours=file.staff.hours.model_dump(exclude_none=True),
        must_translate=tuple(dict.fromkeys(file.content.must_translate)),
        review_max_days=file.content.review_max_days,
        whatsapp_template_sid=file.whatsapp.template_content_sid,
        log_level=file.logging.level,
        phone_region=file.privacy.phone_region,
        public_url=url,
        content_dir=Path(content_dir or ROOT / "content"),
    )


def _where(source: Path | None, line: int) -> str:
    """`config.toml line 12: ` for an operator to go to; `config: ` when the text is not at hand."""
    return f"{source.name} line {line}: " if source else "config: "


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
    return parse(data, Path(content_dir), source=path)

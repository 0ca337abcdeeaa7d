"""TOML files checked against pydantic models, with every problem pointed at its line.

tomllib gives values but no positions, so `Lines` reads the text itself to find where each section
and key starts; `problems()` turns a pydantic ValidationError into plain sentences for the editors
and operators who fix these files (not programmers): the dotted path, the line, and what to do.
"""
import difflib
import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


class Lines:
    """Where each section and key of a TOML file starts and ends, to point editors at lines."""

    def __init__(self, path: Path):
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []
        self.sections: dict[str, int] = {}
        self.keys: dict[tuple[str, str], tuple[int, int]] = {}
        section, current, open_quote = "", None, None

        def close(end):
            if current is not None:
                self.keys.setdefault(current[:2], (current[2], end))

        for number, line in enumerate(self.lines, 1):
            if open_quote is None:
                header = _HEADER.match(line)
                key = None if header else _KEY.match(line)
                if header:
                    close(number - 1)
                    current = None
                    section = header.group(1).strip()
                    self.sections.setdefault(section, number)
                elif key:
                    close(number - 1)
                    current = (section, key.group(1), number)
            open_quote = _quotes(line, open_quote)
        close(len(self.lines))

    def section_line(self, section: str) -> int:
        return self.sections.get(section, 1)

    def key_line(self, section: str, key: str) -> int:
        found = self.keys.get((section, key))
        return found[0] if found else self.section_line(section) if section else 1

    def find(self, section: str, key: str, needle: str) -> int:
        """The first line of `key` (in `section`) mentioning `needle`, quoted if possible."""
        start, end = self.keys.get((section, key), (0, -1))
        for candidate in (f'"{needle}"', f"'{needle}'", needle):
            for number in range(start, end + 1):
                if candidate and candidate in self.lines[number - 1]:
                    return number
        return self.key_line(section, key)

    def find_text(self, section: str, key: str, raw: str) -> int:
        """The line where a (possibly multi-line) text value begins."""
        first = next((ln.strip() for ln in str(raw).splitlines() if ln.strip()), "")
        return self.find(section, key, first[:40]) if first else self.key_line(section, key)

    def lines_of(self, section: str, key: str):
        start, end = self.keys.get((section, key), (0, -1))
        for number in range(start, end + 1):
            yield number, self.lines[number - 1]

    def line_of(self, loc, needle=None) -> int:
        """The line of a dotted path like ("matching", "state_hour") or ("en", "keywords", 2): the
        section or key itself when the file has it, else the nearest enclosing one (a missing key is
        reported where it should be added)."""
        names = []
        for part in loc:
            if isinstance(part, int):   # an item of a list: looked for by its value (`needle`)
                break
            names.append(str(part))
        if ".".join(names) in self.sections:
            return self.sections[".".join(names)]
        for i in range(len(names) - 1, -1, -1):
            section, key = ".".join(names[:i]), names[i]
            if (section, key) in self.keys:
                rest = names[i + 1:]   # inside an inline table: hours = { mon = ... }
                if rest or needle:
                    return self.find(section, key, str(needle) if needle else rest[-1])
                return self.key_line(section, key)
        for i in range(len(names) - 1, 0, -1):
            if ".".join(names[:i]) in self.sections:
                return self.sections[".".join(names[:i])]
        return 1


def _quotes(line: str, open_quote: str | None) -> str | None:
    """Whether a multi-line string is still open after this line."""
    i = 0
    while True:
        if open_quote:
            j = line.find(open_quote, i)
            if j < 0:
                return open_quote
            i, open_quote = j + 3, None
        else:
            hits = [(j, q) for q in ('"""', "'''") if (j := line.find(q, i)) >= 0]
            hash_at = line.find("#", i)
            if not hits or (hash_at >= 0 and hash_at < min(hits)[0] and line[:hash_at].count('"') % 2 == 0):
                return None
            j, open_quote = min(hits)
            i = j + 3



# -- pydantic's errors, in plain words -----------------------------------------------------------

class Strict(BaseModel):
    """A part of a TOML file: an unknown key is an error (a misspelt one would otherwise be ignored
    without a word), and values are not converted ("0.7" in quotes is not a number)."""
    model_config = {"extra": "forbid", "strict": True, "frozen": True}


def dotted(loc) -> str:
    """("services", "fr", "naloxone_where") -> services.fr.naloxone_where; list items as [n]."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# What is wrong, by pydantic error type, then what to do ("" where the first part says it all).
_SAYS = {
    "missing": ("is missing", "{add}"),
    "string_type": ("must be a text in quotes, got {input}", 'write it like "text"'),
    "string_too_short": ("is empty", "write something in it, or remove the line"),
    "float_type": ("must be a number, got {input}", "write it without quotes, like 0.5"),
    "int_type": ("must be a whole number, got {input}", "write it without quotes, like 3"),
    "bool_type": ("must be true or false, got {input}", ""),
    "greater_than": ("must be above {gt}, got {input}", ""),
    "greater_than_equal": ("must be at least {ge}, got {input}", ""),
    "less_than": ("must be below {lt}, got {input}", ""),
    "less_than_equal": ("must be at most {le}, got {input}", ""),
    "list_type": ("must be a list, got {input}", 'write it in square brackets, like ["first", "second"]'),
    "dict_type": ("must be a section, got {input}", "write it as [{path}] with its keys below"),
    "model_type": ("must be a section, got {input}", "write it as [{path}] with its keys below"),
    "date_type": ("must be a date, got {input}", "write it like 2026-11-24, without quotes"),
    "literal_error": ("must be one of {expected}, got {input}", ""),
    "extra_forbidden": ("unknown key", "check the spelling, or remove it"),
}


def message(error: dict, model: type[BaseModel] | None = None) -> str:
    """One pydantic error as a sentence an editor can act on, naming the dotted path."""
    loc, kind, value = error["loc"], error["type"], error.get("input")
    path = dotted(loc)
    if kind == "extra_forbidden":
        noun = "section" if isinstance(value, dict) else "key"
        close = difflib.get_close_matches(str(loc[-1]), known_keys(model, loc[:-1]), n=1, cutoff=0.6)
        hint = f" (did you mean `{close[0]}`?)" if close else f"; {_SAYS[kind][1]}"
        shown = f"[{path}]" if noun == "section" else path
        return f"unknown {noun} `{shown}`{hint}"
    if kind in ("value_error", "assertion_error"):
        return f"`{path}` {error['ctx']['error']}"
    says, fix = _SAYS.get(kind, (error["msg"][:1].lower() + error["msg"][1:], ""))
    parent = dotted(loc[:-1])
    add = f"add it under [{parent}]" if parent else "add it"
    if kind == "missing" and _is_section(model, loc):
        add = f"add a [{path}] section"
    words = dict(error.get("ctx") or {}, input=_shown(value), path=path, add=add)
    text = f"`{path}` {says.format(**words)}"
    return f"{text}; {fix.format(**words)}" if fix else text


def problems(exc: ValidationError, model: type[BaseModel], lines: "Lines | None") -> list[tuple[int, str]]:
    """(line, message) for every error in `exc`; line 1 when the file's text is not at hand."""
    errors = exc.errors(include_url=False)
    # `keywrods` is reported as unknown with "did you mean `keywords`?": `keywords` missing says it twice.
    meant = {(*e["loc"][:-1], close[0]) for e in errors if e["type"] == "extra_forbidden"
             for close in [difflib.get_close_matches(str(e["loc"][-1]), known_keys(model, e["loc"][:-1]), n=1,
                                                     cutoff=0.6)] if close}
    found = []
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in meant:
            continue
        value = error.get("input")
        needle = value if isinstance(value, str) and value.strip() and error["loc"] and \
            isinstance(error["loc"][-1], int) else None
        line = lines.line_of(error["loc"], needle) if lines is not None else 1
        found.append((line, message(dict(error), model)))
    return found


def known_keys(model, loc) -> list[str]:
    """The keys `model` allows at `loc`, to suggest the one a misspelt key meant."""
    node = model
    for part in loc:
        node = _inner(node, part)
        if node is None:
            return []
    return list(node.model_fields) if isinstance(node, type) and issubclass(node, BaseModel) else []


def _is_section(model, loc) -> bool:
    node = model
    for part in loc:
        node = _inner(node, part)
    return isinstance(node, type) and issubclass(node, BaseModel)


def _inner(node, part):
    if node is None:
        return None
    if isinstance(node, type) and issubclass(node, BaseModel):
        field = node.model_fields.get(part)
        return _plain(field.annotation) if field else None
    args = typing.get_args(node)
    if typing.get_origin(node) in (list, tuple) and isinstance(part, int) and args:
        return _plain(args[0])
    if typing.get_origin(node) is dict and len(args) == 2:
        return _plain(args[1])
    return None


def _plain(annotation):
    """X from X | None and Annotated[X, ...]."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation

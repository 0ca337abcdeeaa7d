"""Small, careful edits to topic files made from the inbox: adding an example phrase.

The file stays as the editor wrote it (comments, layout); one line is inserted at the end of the
[lang] section's `examples = [...]` list. The result is checked before it is kept: if it is not valid
TOML, does not hold the new phrase, or the content check finds an error, the file is never touched.
"""
import json
import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path


class EditRefused(ValueError):
    pass


def _section_span(text: str, lang: str) -> tuple[int, int]:
    start = re.search(rf"^\[{re.escape(lang)}\]\s*$", text, re.M)
    if not start:
        raise EditRefused(f"the file has no [{lang}] section yet; write that translation first")
    nxt = re.search(r"^\[[^\]]+\]\s*$", text[start.end():], re.M)
    return start.end(), start.end() + nxt.start() if nxt else len(text)


def with_example(text: str, lang: str, phrase: str) -> str:
    """The file's text with `phrase` added to [lang] examples (a new list if there is none)."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise EditRefused("the phrase is empty")
    quoted = json.dumps(phrase, ensure_ascii=False)     # a valid TOML basic string
    begin, end = _section_span(text, lang)
    section = text[begin:end]
    found = re.search(r"^examples\s*=\s*\[", section, re.M)
    if not found:
        return text[:end].rstrip("\n") + f"\nexamples = [{quoted}]\n" + ("\n" + text[end:] if text[end:] else "")
    # Find the list's closing bracket, skipping brackets inside strings.
    i, depth, in_string, quote = begin + found.end(), 1, False, ""
    while i < end and depth:
        ch = text[i]
        if in_string:
            if ch == "\\" and quote == '"':
                i += 1
            elif text.startswith(quote, i):
                in_string = False
                i += len(quote) - 1
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            in_string = True
            i += len(quote) - 1
        elif ch == "#":
            i = text.find("\n", i) if text.find("\n", i) != -1 else end
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
        i += 1
    if depth:
        raise EditRefused("could not find the end of the examples list; fix the file by hand")
    inside = text[begin + found.end():i]
    if inside.strip() == "":
        return text[:begin + found.end()] + quoted + text[i:]
    body = inside.rstrip()
    sep = "" if body.endswith(",") else ","
    if "\n" in inside:   # a list written one phrase per line: add a line in the same style
        indent = re.search(r"\n([ \t]*)\S", inside)
        pad = indent.group(1) if indent else "  "
        return text[:begin + found.end()] + body + sep + f"\n{pad}{quoted},\n" + text[i:]
    return text[:begin + found.end()] + body + sep + f" {quoted}" + text[i:]


def add_example(path: Path, lang: str, phrase: str, verify, content_dir: Path) -> None:
    """Add the phrase to the topic file, but only once the content with it passes the check.

    The edit is checked on a temporary copy of the content folder (`verify(copy_dir)` raises
    EditRefused with a message for the editor), then swapped in with one atomic rename, so no reload
    in any worker ever sees a refused or half-written file."""
    path, content_dir = Path(path), Path(content_dir)
    before = path.read_text(encoding="utf-8")
    after = with_example(before, lang, phrase)
    try:
        data = tomllib.loads(after)
    except tomllib.TOMLDecodeError as exc:
        raise EditRefused(f"the edit would break the file ({exc}); nothing was changed") from None
    if " ".join(phrase.split()) not in data.get(lang, {}).get("examples", []):
        raise EditRefused("the edit did not land where expected; nothing was changed")
    with tempfile.TemporaryDirectory(prefix="content-edit-") as scratch:
        copy = Path(scratch) / "content"
        shutil.copytree(content_dir, copy)
        (copy / path.relative_to(content_dir)).write_text(after, encoding="utf-8")
        verify(copy)
    if path.read_text(encoding="utf-8") != before:
        raise EditRefused("the file changed while this was being checked; try again")
    staged = path.with_name(path.name + ".new")      # not *.toml: invisible to the loader until renamed
    staged.write_text(after, encoding="utf-8")
    os.replace(staged, path)

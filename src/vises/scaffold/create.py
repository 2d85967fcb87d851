"""``vises new-plugin``: scaffold a complete, installable plugin package for a federation.

The files under ``files/`` are templates (``$name`` placeholders, ``NAME`` in paths, a ``.tmpl``
suffix so no tool mistakes them for code); ``create_plugin`` fills them and writes each file
atomically. The result installs with ``pip install -e``, passes its own tests and is found by
vises through its entry point.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from vises.errors import ConfigError

FILES = Path(__file__).parent / "files"
LANGUAGES = ("fr", "nl", "en")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: Starter labels of the generated grid, looked up as ``scaffold_<key>`` in the word catalogues
#: (``vises/locale/<lang>.toml``, table ``[scaffold]``); English is always added next to the chosen
#: language.
WORDS = (
    "grid_label",
    "practices_label",
    "outcomes_label",
    "hours_label",
    "follow_up_label",
    "report_label",
    "story_label",
    "never",
    "rarely",
    "sometimes",
    "often",
    "always",
)


def _toml_text(text: str) -> str:
    """A quoted string valid in TOML and in Python alike (JSON's escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _plain(option: str, text: str) -> str:
    """Refuse what would break a docstring or a line of the generated files."""
    if any(ord(char) < 32 or char == "\\" for char in text) or '"""' in text:
        raise ConfigError(
            f"the {option} {text!r}: line breaks, control characters and backslashes are not allowed",
            hint=f"write the {option} on one line ({option}=)",
        )
    return text


def _author(author: str) -> str:
    """The inside of pyproject's ``authors`` table: ``Name <email>`` gives a name and an email."""
    match = re.fullmatch(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*", author)
    if match is None:
        return f"name = {_toml_text(author.strip())}"
    fields = [f"name = {_toml_text(match.group('name'))}"] if match.group("name") else []
    return ", ".join([*fields, f"email = {_toml_text(match.group('email'))}"])


def _values(name: str, lang: str, title: str, author: str) -> dict[str, str]:
    langs = [lang] if lang == "en" else [lang, "en"]
    values = {
        "name": name,
        "title": title,
        "title_text": _toml_text(title),
        "description_text": _toml_text(f"vises plugin: {title}"),
        "author": _author(author),
        "languages": ", ".join(f'"{code}"' for code in langs),
    }
    from vises.i18n import translate

    for key in WORDS:
        values[key] = ", ".join(
            f"{code} = {_toml_text(translate(f'scaffold_{key}', code, title=title))}" for code in langs
        )
    return values


def create_plugin(
    name: str, directory: str | Path = ".", *, lang: str = "fr", title: str | None = None, author: str = ""
) -> Path:
    """Write the package ``vises-<name>`` into ``directory`` and return its folder.

    ``name`` becomes the entry-point name and the namespace of every key (``<name>.<name>`` for
    the starter grid): lower-case letters, digits and underscores, starting with a letter.
    """
    from vises.io.atomic import write_text_atomic

    if not NAME.match(name) or name == "vises":
        raise ConfigError(
            f"{name!r} is not a valid plugin name",
            hint=(
                "use lower-case letters, digits and underscores, starting with a letter (e.g. 'bruxelles'); 'vises' "
                "is reserved"
            ),
        )
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language {lang!r}", hint=f"choose one of {', '.join(LANGUAGES)}")
    target = Path(directory) / f"vises-{name}"
    if target.exists():
        raise ConfigError(
            "the folder already exists; nothing was written",
            file=str(target),
            hint="choose another folder (directory=) or remove this one",
        )
    title = _plain("title", title or name.replace("_", " ").title())
    values = _values(name, lang, title, _plain("author", author) or "vises plugin authors")
    from string import Template

    # Render everything first: a template error must not leave half a package behind.
    files = {
        target / str(template.relative_to(FILES).with_suffix("")).replace("NAME", name): Template(
            template.read_text(encoding="utf-8")
        ).substitute(values)
        for template in sorted(FILES.rglob("*.tmpl"))
    }
    for destination, text in files.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(destination, text)
    return target

"""Prompt templates as files in prompts/, loaded by name and rendered strictly."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

SUFFIXES = (".txt", ".md")
_LEFTOVER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*")


class PromptError(ValueError):
    """A prompt file is missing, malformed, or rendered with the wrong variables."""


class PromptLibrary:
    """The prompt files of one folder; `render(name, **values)` fills exactly the variables a file declares."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def names(self) -> list[str]:
        """Names of every prompt file in the folder."""
        if not self.folder.is_dir():
            return []
        return sorted({p.stem for p in self.folder.iterdir() if p.is_file() and p.suffix in SUFFIXES})

    def path(self, name: str) -> Path:
        """The file that holds the prompt `name`."""
        for suffix in SUFFIXES:
            candidate = self.folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
        tried = ", ".join(str(self.folder / f"{name}{s}") for s in SUFFIXES)
        raise PromptError(f"prompt {name!r} not found (looked for {tried})")

    def template(self, name: str) -> Template:
        """The parsed template; a '$' that starts no valid placeholder is an error."""
        path = self.path(name)
        template = Template(path.read_text(encoding="utf-8"))
        if not template.is_valid():
            raise PromptError(f"{path}: invalid placeholder (write a literal dollar sign as $$)")
        return template

    def variables(self, name: str) -> set[str]:
        """The variables the prompt `name` needs."""
        return set(self.template(name).get_identifiers())

    def render(self, name: str, /, **values: object) -> str:
        """Fill every variable of the prompt; a missing or unexpected variable is an error."""
        template = self.template(name)
        path = self.path(name)
        needed = set(template.get_identifiers())
        missing, unexpected = needed - values.keys(), values.keys() - needed
        if missing:
            raise PromptError(f"{path}: missing variable(s) {', '.join(sorted(missing))}")
        if unexpected:
            raise PromptError(f"{path}: unexpected variable(s) {', '.join(sorted(unexpected))}")
        # The template's own text must leave no placeholder-looking '$name' behind ($$name escapes do);
        # checked with empty values so user text that happens to contain '$x' is not mistaken for one.
        skeleton = template.substitute({key: "" for key in needed})
        if leftover := _LEFTOVER.search(skeleton):
            raise PromptError(f"{path}: placeholder {leftover.group(0)!r} would be left in the prompt")
        return template.substitute({key: str(value) for key, value in values.items()})


def load_prompts(folder: Path) -> PromptLibrary:
    """The prompt library of a folder (usually settings.prompts_dir); a missing folder is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PromptError(f"prompts folder {folder} does not exist")
    return PromptLibrary(folder)

"""The catalogue of the step library: every step in English and in Chinese, with an example of each.

`catalogue.yaml` lists the steps by group, each as one example line per language; the step
itself (its patterns, its Python function) is found by matching the example against the
library, so an example that stops matching, or a step left out, fails `tests/unit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from mediation.authoring.steps.common import ROLE

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
LIBRARY_PACKAGE = "mediation.authoring.steps"
LANGUAGES = ("en", "zh")
# The keyword an example line starts with, and the step type it stands for.
KEYWORDS = {"Given": "given", "When": "when", "Then": "then", "假如": "given", "当": "when", "那么": "then"}
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class StepForm:
    """One way to write a step: its type and its pattern, in one language."""

    type: str
    pattern: str
    language: str
    context: StepFunctionContext

    def matches(self, text: str) -> bool:
        return self.context.parser.is_matching(text)

    @property
    def readable(self) -> str:
        """The pattern as an author reads it: {name} for a value, [已] for an optional word."""
        return readable_pattern(self.pattern)


@dataclass(frozen=True)
class CatalogueEntry:
    """One step of the library: its group, an example line per language, and its forms."""

    group: dict[str, str]
    examples: dict[str, str]  # language -> "When mediator1 starts the session"

    def example_type_and_text(self, language: str) -> tuple[str, str]:
        return split_keyword(self.examples[language])


def split_keyword(line: str) -> tuple[str, str]:
    """("when", "mediator1 starts the session") from "When mediator1 starts the session"."""
    keyword, _, text = line.strip().partition(" ")
    if keyword not in KEYWORDS:
        raise ValueError(f"an example starts with Given/When/Then or 假如/当/那么: {line!r}")
    return KEYWORDS[keyword], text


def language_of(pattern: str) -> str:
    """"en" for a pattern in English words (names such as 永嘉县 or 民转刑 may stand in it), else "zh"."""
    words = re.sub(r"\{[^}]*\}", "", readable_pattern(pattern))
    return "en" if re.search(r"[a-z]{2,}", words) else "zh"


@lru_cache(maxsize=1)
def library_forms() -> tuple[StepForm, ...]:
    """Every form of every step of the library (imported here so that all are registered)."""
    import mediation.authoring.steps.library  # noqa: F401

    forms = []
    for context in step_function_context_registry.values():
        if context.step_func.__module__.startswith(LIBRARY_PACKAGE) and context.type:
            forms.append(StepForm(context.type, context.parser.name, language_of(context.parser.name), context))
    return tuple(forms)


def forms_matching(step_type: str, text: str) -> list[StepForm]:
    """The library's forms a step line of this type matches."""
    return [form for form in library_forms() if form.type == step_type and form.matches(text)]


@lru_cache(maxsize=1)
def catalogue() -> tuple[tuple[dict[str, str], tuple[CatalogueEntry, ...]], ...]:
    """The groups of the catalogue, in order, each with its steps."""
    data: list[dict[str, Any]] = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple((group["group"], tuple(CatalogueEntry(group["group"], dict(step)) for step in group["steps"]))
                 for group in data)


def readable_pattern(pattern: str) -> str:
    """A regular expression or parse pattern as an author reads it."""
    text = pattern.replace(ROLE, "[{角色} ]").replace("{role:Role}", "{角色}").replace("{past:Already}", "[已]")
    text = re.sub(r"\(\?P<(\w+)>[^()]*(?:\([^()]*\)[^()]*)*\)", r"{\1}", text)
    text = re.sub(r"\(\?P=(\w+)\)", r"{\1}", text)
    text = re.sub(r"\{(\w+):\w+\}", r"{\1}", text)
    text = re.sub(r"\(\?:([^()]*)\)\?", r"[\1]", text)
    text = re.sub(r"\(\?:([^()|]*)(?:\|[^()]*)?\)", r"\1", text)
    return text.replace("\\.", ".").replace("\\(", "(").replace("\\)", ")").replace("\\", "").replace("?", "")


def render(language: str | None = None) -> str:
    """The catalogue as `workflows steps` prints it: by group, each step's form and example."""
    languages = (language,) if language else LANGUAGES
    lines: list[str] = []
    for group, entries in catalogue():
        lines.append(" / ".join(group[lang] for lang in languages))
        for entry in entries:
            for lang in languages:
                step_type, text = entry.example_type_and_text(lang)
                forms = [form for form in forms_matching(step_type, text) if form.language == lang]
                pattern = forms[0].readable if forms else text
                lines.append(f"  {pattern}")
                lines.append(f"      {_EXAMPLE[lang]} {entry.examples[lang]}")
        lines.append("")
    return "\n".join(lines)


_EXAMPLE = {"en": "e.g.", "zh": "例："}

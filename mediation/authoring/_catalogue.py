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
                pattern = _named(forms[0].readable, lang) if forms else text
                lines.append(f"  {pattern}")
                lines.append(f"      {_EXAMPLE[lang]} {entry.examples[lang]}")
        lines.append("")
    return "\n".join(lines)


_EXAMPLE = {"en": "e.g.", "zh": "例："}
# What a value of a Chinese step is, in Chinese words (the example shows what to write there).
_VALUE_NAMES_ZH = {
    "user": "用户名", "users": "用户名", "day": "日期", "moment": "时间", "due": "时间", "deadline": "日期",
    "count": "数", "times": "次数", "days": "天数", "attempts": "次数", "tolerance": "天数",
    "trigger": "操作", "triggers": "操作", "state": "状态", "from_state": "原状态", "to_state": "新状态",
    "source": "原状态", "dest": "新状态", "guard": "守卫", "text": "文字", "error": "错误类型", "field": "字段",
    "reason": "理由", "kind": "期限", "action": "到期动作", "recipient": "接收方", "topic": "通知",
    "unit": "单位", "target": "单位", "units": "单位", "first": "当事人", "second": "当事人", "party": "当事人",
    "who": "当事人", "name": "姓名", "interpreter": "翻译人员", "category": "纠纷类别", "channel": "渠道",
    "risk": "风险等级", "mediator": "调解员", "owner": "负责人", "mechanism": "机制", "resolver": "途径",
    "department": "部门", "court": "法院", "level": "层级", "ethnicity": "民族", "language": "语言",
    "outcome": "结果", "description": "案情", "terms": "协议内容", "subjects": "条款", "ruling": "裁定书编号",
    "milestones": "节点", "schedules": "回访", "negated": "看不到|可以查看", "scope": "合作单位|单位",
    "figures": "统计", "status": "状态", "method": "方式", "method_label": "方式", "summary": "处理结果",
    "done": "已|尚未",
}


def _named(pattern: str, language: str) -> str:
    """A readable pattern with its values named in the language of the listing."""
    if language != "zh":
        return pattern
    return re.sub(r"\{(\w+)\}", lambda found: "{" + _VALUE_NAMES_ZH.get(found.group(1), found.group(1)) + "}", pattern)

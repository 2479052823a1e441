"""The changes of `workflows diff` told as lines for a policy author, in Chinese or English.

新增状态「村级调解」(mediation.village) · 期限「申请司法确认期限」：30日 → 20日. Codes follow a label in
parentheses only when asked (the command line); the web page shows labels alone.
"""

from __future__ import annotations

from typing import Any

from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.diff import ADDED, REMOVED, Change
from mediation.workflows.field_labels import field_label
from mediation.workflows.rule_labels import ACTION_LABELS, POLICY_LABELS, ROLE_LABELS

NOUNS = {
    "states": ("状态", "state"), "triggers": ("操作", "trigger"), "roles": ("操作", "trigger"),
    "fields": ("数据项", "data field"), "transitions": ("可发起操作的状态", "source state"), "guards": ("条件", "guard"),
    "effects": ("效果", "effect"), "deadlines": ("期限", "deadline"), "ladder": ("化解层级", "ladder rung"),
    "limits": ("上限", "limit"), "policy": ("政策参数", "policy value"),
}
ASPECTS = {
    "label": ("名称", "name"), "labels": ("名称", "name"), "roles": ("可操作角色", "roles"), "type": ("类型", "type"),
    "required": ("必填", "required"), "values": ("可选值", "values"), "kind": ("单位类型", "unit kind"),
    "future": ("须在将来", "must lie ahead"), "past": ("不得在将来", "must not lie ahead"),
    "max_length": ("最长字数", "longest"), "to": ("去向", "leads to"), "after": ("", ""),
    "count": ("计算方式", "counting"), "action": ("到期动作", "action"), "states": ("适用状态", "states"),
    "extension": ("延长期限", "extension"), "from": ("起算时点", "counted from"), "when": ("适用条件", "applies when"),
    "notify": ("通知对象", "notifies"), "attempts": ("调解次数", "attempts"), "order": ("", ""),
    "triggers": ("可做的操作", "triggers"),
}
TYPES = {
    "boolean": "是否", "case_id": "案件", "category": "纠纷类别", "date": "日期", "datetime": "日期时间",
    "enum": "选项", "ethnicity": "民族", "id": "编号", "id_number": "身份证号", "integer": "整数", "list": "列表",
    "object": "一组数据", "objects": "多组数据", "party_id": "当事人", "party_ids": "多名当事人", "phone": "电话",
    "risk_level": "风险等级", "ruling_number": "裁定书编号", "sha256": "文件指纹", "short_text": "短文字",
    "text": "文字", "unit_code": "单位", "unit_codes": "多个单位", "username": "用户",
}
COUNTING = {"civil_procedure": ("按民事诉讼法计算", "as the law counts periods"),
            "whole_days": ("按自然日计算", "in whole days")}
UNITS = {"days": ("{n}日", "{n} days"), "working_days": ("{n}个工作日", "{n} working days"),
         "hours": ("{n}小时", "{n} hours"), "seconds": ("{n}秒", "{n} s")}
WORDS = {"none": ("无", "none"), "yes": ("是", "yes"), "no": ("否", "no"), "stays": ("原状态不变", "stays"),
         "rung": ("第{position}级，调解{attempts}次", "rung {position}, {attempts} attempts"),
         "attempts": ("调解{attempts}次", "{attempts} attempts")}
SEPARATOR = {"zh": "、", "en": ", "}


class _Reader:
    """Names a change's codes and values in one language, from the two definitions' labels."""

    def __init__(self, lang: str, old: WorkflowDefinition, new: WorkflowDefinition,
                 value_labels: dict[str, dict[str, str]] | None = None) -> None:
        self.lang, self.old, self.new = lang, old, new
        self.value_labels = value_labels or {}
        self.index = 0 if lang == "zh" else 1

    def word(self, table: dict, key: str, **values: Any) -> str:
        return table[key][self.index].format(**values)

    def labels(self, labels: dict[str, str] | None, code: str = "") -> str:
        return (labels or {}).get(self.lang) or code

    def state(self, state: str | None) -> str:
        if state is None:
            return self.word(WORDS, "stays")
        return self.labels(self.new.states.get(state) or self.old.states.get(state), state)

    def action(self, action: str) -> str:
        trigger = self.new.triggers.get(action) or self.old.triggers.get(action)
        return self.labels(trigger.labels if trigger else ACTION_LABELS.get(action), action)

    def code(self, code: str, field: str | None = None) -> str:
        """A value's code by the policy's labels for it (the field's value labels, categories, channels…)."""
        for policy in (self.new.policy, self.old.policy):
            tables = [(policy.get("value_labels") or {}).get(field or "") or {}]
            tables += [policy.get(key) or {} for key in ("categories", "channels", "risk_levels", "closure_items")]
            for table in tables:
                if isinstance(table.get(code), dict):
                    return self.labels(table[code], code)
        return self.labels(self.value_labels.get(code), code)

    def key(self, key: str) -> str:
        """A key of a mapping shown as a value: an aspect, a policy key or a field, by its label."""
        if key in ASPECTS:
            return self.word(ASPECTS, key)
        labels = POLICY_LABELS.get(key) or ROLE_LABELS.get(key)
        return self.labels(labels, key) if labels else field_label(key, self.lang)

    def value(self, value: Any, aspect: str | None = None, field: str | None = None) -> str:
        if value is None and aspect == "to":
            return self.state(None)
        if value is None or value == [] or value == {}:
            return self.word(WORDS, "none")
        if isinstance(value, bool):
            return self.word(WORDS, "yes" if value else "no")
        if isinstance(value, list):
            return SEPARATOR[self.lang].join(self.value(item, aspect, field) for item in value)
        if isinstance(value, dict):
            return self._mapping(value, field)
        return self._scalar(value, aspect, field)

    def _scalar(self, value: Any, aspect: str | None, field: str | None) -> str:
        if aspect in ("states", "to"):
            return self.state(value)
        if aspect == "triggers":
            trigger = self.new.triggers.get(value) or self.old.triggers.get(value)
            return self.labels(trigger.labels if trigger else None, str(value))
        if aspect == "roles":
            return self.labels(ROLE_LABELS.get(value), str(value))
        if aspect == "action":
            return self.action(str(value))
        if aspect == "count":
            return COUNTING[value][self.index] if value in COUNTING else str(value)
        if aspect == "type" and self.lang == "zh":
            return TYPES.get(value, str(value))
        return self.code(value, field) if isinstance(value, str) else str(value)

    def _mapping(self, value: dict, field: str | None) -> str:
        if isinstance(value.get("zh"), str):
            return self.labels(value)
        periods = [self.word(UNITS, unit, n=value[unit]) for unit in UNITS if unit in value]
        if periods:
            counted = [COUNTING[value["count"]][self.index]] if value.get("count") in COUNTING else []
            return "，".join(periods + counted) if self.lang == "zh" else ", ".join(periods + counted)
        if "type" in value and "required" in value:
            parts = [self._scalar(value["type"], "type", field)]
            parts += [self.word(ASPECTS, "required")] if value["required"] else []
            return "，".join(parts) if self.lang == "zh" else ", ".join(parts)
        if "position" in value:
            return self.word(WORDS, "rung", **value)
        if set(value) == {"attempts"}:
            return self.word(WORDS, "attempts", **value)
        joiner, colon = ("；", "：") if self.lang == "zh" else ("; ", ": ")
        return joiner.join(
            self.value(item, key, field) if ASPECTS.get(key) == ("", "")
            else f"{self.key(key)}{colon}{self.value(item, key, key)}"
            for key, item in value.items() if item not in (None, [], {}))


def render(changes: list[Change], lang: str, *, old: WorkflowDefinition, new: WorkflowDefinition,
           codes: bool = True, value_labels: dict[str, dict[str, str]] | None = None) -> list[str]:
    """One line per change, in `lang` (zh or en); with `codes`, each label is followed by its code.

    `value_labels` names the codes of enum values the workflow files leave unlabelled (the web's words).
    """
    reader = _Reader(lang, old, new, value_labels)
    return [line_of(change, reader, codes) for change in changes]


def line_of(change: Change, reader: _Reader, codes: bool) -> str:
    zh = reader.lang == "zh"
    noun = reader.word(NOUNS, change.section)
    named = f"「{reader.labels(change.label, change.code)}」" if zh else f"'{reader.labels(change.label, change.code)}'"
    if codes:
        named += f"({change.code})" if zh else f" ({change.code})"
    within = f"「{reader.labels(change.within_label)}」" if zh else f"'{reader.labels(change.within_label)}'"
    where = "" if change.within_label is None else (f"操作{within}：" if zh else f"trigger {within}: ")
    field = change.code.rsplit(".", 1)[-1]
    if change.kind in (ADDED, REMOVED):
        value = change.after if change.kind == ADDED else change.before
        shown = "" if value is None else (f"（{reader.value(value, change.aspect, field)}）" if zh
                                          else f" ({reader.value(value, change.aspect, field)})")
        if zh:
            return f"{where}{'新增' if change.kind == ADDED else '删除'}{noun}{named}{shown}"
        return f"{where}{change.kind} {noun} {named}{shown}"
    aspect = reader.word(ASPECTS, change.aspect) if change.aspect in ASPECTS else (change.aspect or "")
    before = reader.value(change.before, change.aspect, field)
    after = reader.value(change.after, change.aspect, field)
    if zh:
        return f"{where}{noun}{named}{aspect}：{before} → {after}"
    return f"{where}{noun} {named}{' ' + aspect if aspect else ''}: {before} → {after}"

"""The reasons a data rule gives (trigger data, intake, the engine's look-ups), with a stable code and
their Chinese words, in one table: the API, the web and the command line read the same words.

A rule raises `InvalidData(field, reason)` with its reason in English; `reason_words` finds the
reason's row (by its pattern: some carry a number or a value) and gives its code and both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ReasonRow:
    code: str
    pattern: re.Pattern[str]
    zh: str  # may name the pattern's groups: {limit}


def _row(code: str, pattern: str, zh: str) -> ReasonRow:
    return ReasonRow(code, re.compile(pattern), zh)


REASONS: tuple[ReasonRow, ...] = (
    _row("required", r"is required( and must be text)?$", "必填"),
    _row("empty", r"must not be empty$", "不能为空"),
    _row("empty_file", r"is empty$", "文件为空"),
    _row("party_required", r"at least one party is required$", "至少填写一名当事人"),
    _row("too_many_parties", r"at most (?P<limit>\d+) parties per case$", "每件案件最多{limit}名当事人"),
    _row("too_long", r"(longer than|must be at most) (?P<limit>\d+) characters$", "超过长度上限（{limit}个字）"),
    _row("not_text", r"must be (a string|text)$", "须为文字"),
    _row("control_characters", r"must not contain control characters$", "不能含有控制字符"),
    _row("nul_character", r"must not contain a NUL character$", "不能含有空字符"),
    _row("ethnicity", r"must be one of the 56 nationalities", "须为56个民族之一（如汉族、维吾尔族）"),
    _row("not_a_choice", r"must be one of ", "须为给定选项之一"),
    _row("unknown_values", r"unknown values .*; allowed: ", "含有不在给定选项中的值"),
    _row("id_number_format", r"must be an 18-character resident ID number$", "须为18位居民身份证号"),
    _row("id_number_birth_date", r"has no valid birth date \(characters 7 to 14\)$",
         "身份证号中的出生日期（第7至14位）无效"),
    _row("id_number_born_later", r"has a birth date in the future$", "身份证号中的出生日期晚于今天"),
    _row("id_number_check_digit", r"has a wrong check digit \(GB 11643\)$", "身份证号校验码不正确"),
    _row("same_id_number", r"is the ID number of another party: one person is one party$",
         "与另一当事人的身份证号相同：同一人只能是一方当事人"),
    _row("same_name", r"applicant and respondent have the same name",
         "申请人与被申请人同名：请填写双方身份证号以便区分"),
    _row("phone_format", r"must be an 11-digit mobile or a landline number$", "须为11位手机号或固定电话"),
    _row("ruling_number_format", r"must look like \(2026\)浙0324民特123号$", "格式应如（2026）浙0324民特123号"),
    _row("not_boolean", r"must be true or false$", "须为是或否"),
    _row("date_format", r"must be a date like 2026-12-31$", "日期格式应如2026年12月31日"),
    _row("datetime_format", r"must be a date-time like 2026-12-31T09:30:00$", "时间格式应如2026年12月31日9时30分"),
    _row("date_in_past", r"must be today or later$", "不能早于今天"),
    _row("moment_in_past", r"must be later than now$", "须晚于当前时间"),
    _row("in_future", r"must not be in the future$", "不能晚于当前时间"),
    _row("not_object", r"must be an object$", "格式不正确"),
    _row("unknown_field", r"unknown field", "不是可填写的项目"),
    _row("not_an_id", r"must be an id between 1 and \d+$", "须为有效编号"),
    _row("not_a_count", r"must be a whole number between 0 and \d+$", "须为不小于零的整数"),
    _row("too_many_items", r"must be a list of at most (?P<limit>\d+) (strings|objects)$", "最多{limit}项"),
    _row("party_ids_list", r"must be a non-empty list of party ids$", "请至少选择一名当事人"),
    _row("sha256_format", r"must be 64 lower-case hexadecimal characters$", "须为64位小写十六进制摘要"),
    _row("unsupported_type", r"field type '.*' is not supported$", "暂不支持此类项目"),
    _row("no_such_user", r"no active user ", "所选用户不存在或已停用"),
    _row("user_role", r"user '.*' holds none of the roles ", "所选用户不具备办理此事项的角色"),
    _row("referred_by_referral_only", r"names the referring unit of a referral_in case only$",
         "仅转入案件可填写转出单位"),
    _row("no_such_unit", r"no unit '(?P<code>[^']*)'", "没有代码为“{code}”的单位"),
    _row("unit_kind", r"unit '.*' is an? .*, not an? ", "所选单位的类别不符"),
    _row("not_a_party", r"(parties .* are|party .* is) not (parties|a party) to this case$", "所选当事人不是本案当事人"),
    _row("no_such_case", r"no case ", "没有这件案件"),
    _row("unknown_value", r"unknown value '(?P<value>[^']*)'", "没有“{value}”这一项"),
    _row("out_of_range", r"must be between 1 and (?P<limit>\d+)$", "须在1至{limit}之间"),
    _row("below_one", r"must be 1 or more$", "须不小于1"),
    _row("date_range", r"must be on or before 'to'", "起始日期不能晚于截止日期"),
    _row("unit_out_of_reach", r"unit '.*' is outside your jurisdiction$", "所选单位不在您的辖区内"),
    _row("already_present", r"case (?P<case>.+) is already present$", "案件{case}已经登记"),
    _row("same_facts_present", r"the same title, description and parties as case (?P<case>.+), which is already present$",
         "与已登记的案件{case}标题、案情和当事人相同"),
    _row("file_name", r"the file name ", "文件名含有不能使用的字符"),
    _row("attach_by_upload", r"attachments are added through ", "证据材料请通过上传添加"),
)
UNKNOWN = "invalid"  # a reason the table does not know: its code, and general words
UNKNOWN_ZH = "填写有误"


@lru_cache(maxsize=1024)
def reason_words(reason: str) -> tuple[str, str]:
    """(code, Chinese words) of a data rule's English reason."""
    for row in REASONS:
        found = row.pattern.match(reason)
        if found:
            return row.code, row.zh.format(**found.groupdict())
    return UNKNOWN, UNKNOWN_ZH


def reason_in(lang: str, reason: str) -> str:
    """The reason in `lang`: the English as raised, or its Chinese words."""
    return reason_words(reason)[1] if lang == "zh" else reason

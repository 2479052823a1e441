"""A party's particulars as the law and the Ministry's formats name them (DESIGN §9.2): the words they take."""

from __future__ import annotations

import re

from mediation.workflows.definition import FieldSpec

# The 56 nationalities of China by name, in the order of GB 3304.
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族",
    "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族",
    "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族",
    "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
GENDERS = ("male", "female")
# An 11-digit mobile number, or a landline with its area code.
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")

# Lengths are those of the party's columns (mediation/db/models.py).
# The particulars a party may have beside name, role, ID and phone numbers: what intake checks
# (the same as `add_party` takes in mediation.yaml).
PARTICULAR_FIELDS = (
    FieldSpec("gender", "enum", values=GENDERS),
    FieldSpec("ethnicity", "ethnicity"),
    FieldSpec("birth_date", "date", past=True),
    FieldSpec("occupation", "short_text", max_length=100),
    FieldSpec("address", "short_text"),
    FieldSpec("language", "short_text", max_length=40),
    FieldSpec("needs_interpreter", "boolean"),
    FieldSpec("organisation", "object", fields=(
        FieldSpec("name", "short_text", required=True), FieldSpec("legal_representative", "short_text", max_length=100))),
)

__all__ = ["ETHNICITIES", "GENDERS", "PARTICULAR_FIELDS", "PHONE"]

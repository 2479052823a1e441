"""The web workspace's words: page words in TEXT (read with t), labels of codes in VALUE_LABELS (read with value)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from mediation.web.i18n import FIELD_LABELS, LANGUAGES, TEXT, VALUE_LABELS, Words

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("templates/web/*.html"),
                  *(p for p in ROOT.glob("mediation/web/*.py") if p.name != "i18n.py")])
# a literal key, not the start of a key built from parts ('doc_' ~ kind, "m_" + key)
T_CALL = re.compile(r"""\bt\(\s*(['"])([a-z0-9_]+)\1(?!\s*[~+])""")
VALUE_CALL = re.compile(r"""\bvalue\(\s*(['"])([a-z0-9_]+)\1(?!\s*[~+])""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [TEXT, FIELD_LABELS, VALUE_LABELS], ids=["TEXT", "FIELD_LABELS", "VALUE_LABELS"])
def test_every_word_has_both_languages_with_the_same_placeholders(table) -> None:
    for key, words in table.items():
        assert set(LANGUAGES) <= set(words) <= set(LANGUAGES) | {f"{lang}_one" for lang in LANGUAGES}, key
        assert _placeholders(words["zh"]) == _placeholders(words["en"]), key
        for lang in LANGUAGES:  # a singular form may name the count or spell it out
            assert _placeholders(words.get(f"{lang}_one", "")) <= _placeholders(words[lang]), key


def test_a_key_in_both_dictionaries_means_the_same() -> None:
    for key in set(TEXT) & set(VALUE_LABELS):  # e.g. "mediator": a page word and a role's label
        assert TEXT[key] == VALUE_LABELS[key], key


def test_every_literal_key_is_in_the_dictionary_its_reader_reads() -> None:
    used_t, used_value = set(), set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        used_t |= {m.group(2) for m in T_CALL.finditer(text)}
        used_value |= {m.group(2) for m in VALUE_CALL.finditer(text)}
    assert used_t and not used_t - set(TEXT)
    assert not used_value - set(VALUE_LABELS)


def test_t_formats_placeholders() -> None:
    assert Words("zh").t("inbox_shown", n=50, total=73) == "显示最早到期的 50 件，共 73 件。"
    assert Words("en").t("order_days_late", n=3) == "(3 days late)"


def test_one_takes_the_singular_where_a_language_has_one() -> None:
    assert [Words("en").t("total", n=n) for n in (0, 1, 2, 1234)] == ["0 cases", "1 case", "2 cases", "1,234 cases"]
    assert Words("zh").t("total", n=1) == "共 1 件"
    assert Words("en").t("order_days_left", n=1) == "(1 day left)"

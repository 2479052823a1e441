"""A field path is named by its labels in the reader's language (the API's Chinese `detail`, the web)."""

from __future__ import annotations

import pytest

from mediation.workflows.field_labels import field_label, field_path_label


@pytest.mark.parametrize(("path", "zh", "en"), [
    ("data.party_id", "当事人", "Party"),
    ("data.statements[1].party_id", "当事人陈述 · 第2项 · 当事人", "Statements · item 2 · Party"),
    ("parties[0].id_number", "当事人 · 第1项 · 身份证号", "Parties · item 1 · ID number"),
    ("title", "标题", "Title"),
])
def test_a_path_reads_as_its_labels(path: str, zh: str, en: str) -> None:
    assert field_path_label(path, "zh") == zh
    assert field_path_label(path, "en") == en


def test_a_field_without_a_label_keeps_its_name() -> None:
    assert field_label("no_such_field", "zh") == "no_such_field"

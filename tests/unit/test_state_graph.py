"""The state diagram in the reader's words (issue 13): labels only for a page, codes kept for developers."""

from __future__ import annotations

import re

from mediation.workflows.graph import mermaid, next_steps
from mediation.workflows.loader import current_definition

DEFINITION = current_definition()


def labels_of(source: str) -> str:
    """What the diagram writes on its boxes and arrows: state names in quotes, arrow labels after ':'."""
    states = re.findall(r'state "([^"]+)"', source)
    arrows = [line.split(": ", 1)[1] for line in source.splitlines() if "-->" in line and ": " in line]
    return " ".join(states + arrows)


def test_a_page_diagram_has_chinese_labels_only() -> None:
    for stage in DEFINITION.stage_labels:
        source = mermaid(DEFINITION, stage=stage, lang="zh", highlight=None, codes=False)
        written = labels_of(source)
        assert written and not re.search(r"[A-Za-z]", written), (stage, written)
    source = mermaid(DEFINITION, stage="mediation", lang="zh", highlight="mediation.assigned", codes=False)
    assert "mediation__in_session --> mediation__agreement_drafted: 起草调解协议" in source
    assert "休会改期" in source and 'state "已指派调解员" as mediation__assigned' in source
    assert "class mediation__assigned current" in source and "direction TB" in source


def test_english_readers_get_english_labels() -> None:
    written = labels_of(mermaid(DEFINITION, stage="court", lang="en", codes=False))
    assert "Court accepts" in written and "_" not in written


def test_the_developers_diagram_keeps_the_codes() -> None:
    source = mermaid(DEFINITION)
    assert 'state "调解中 (mediation.in_session)" as mediation__in_session' in source
    assert re.search(r"mediation__in_session --> mediation__agreement_drafted: draft_agreement", source)


def test_next_steps_in_words() -> None:
    steps = next_steps(DEFINITION, "mediation.assigned")
    assert ("开始调解", "调解中") in steps and ("当事人拒绝调解", "当事人拒绝调解") in steps
    assert all(not re.search(r"[A-Za-z]", trigger + state) for trigger, state in steps)
    assert next_steps(DEFINITION, "closed.withdrawn") == [("重新启动", "已研判分流")]  # only a reopening

"""The step library's catalogue (`workflows steps`): every step in both languages, each example a working step."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser
from pytest_bdd.steps import step_function_context_registry

from mediation.authoring import catalogue, forms_matching, library_forms, render
from mediation.authoring._catalogue import split_keyword

FEATURES = Path(__file__).resolve().parents[2] / "features"
ENTRIES = [entry for _, entries in catalogue() for entry in entries]


def _function(entry, language: str):
    step_type, text = entry.example_type_and_text(language)
    found = {form.context.step_func for form in forms_matching(step_type, text) if form.language == language}
    assert len(found) == 1, f"{entry.examples[language]!r} matches {len(found)} {language} steps of the library"
    return found.pop()


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.examples["en"][:60] for entry in ENTRIES])
def test_each_entry_is_one_step_with_a_working_example_in_each_language(entry) -> None:
    assert set(entry.examples) == {"en", "zh"}
    assert _function(entry, "en") is _function(entry, "zh")


def test_every_step_of_the_library_is_in_the_catalogue_once_in_both_languages() -> None:
    listed = [_function(entry, "en") for entry in ENTRIES]
    languages = defaultdict(set)
    for form in library_forms():
        languages[form.context.step_func].add(form.language)
    missing = [f"{func.__module__}:{func.__code__.co_firstlineno}" for func in languages if func not in listed]
    assert missing == [] and len(listed) == len(set(listed))
    assert [func for func, found in languages.items() if found != {"en", "zh"}] == []


def _feature_steps() -> list[tuple[str, str, str]]:
    """(feature file, step type, text) of every step line of the features, outlines filled in."""
    lines = []
    for path in sorted(FEATURES.glob("*.feature")):
        feature = FeatureParser(str(FEATURES), path.name).parse()
        for template in feature.scenarios.values():
            contexts = [context for examples in template.examples for context in examples.as_contexts()] or [{}]
            for context in contexts:
                lines += [(path.name, step.type, step.name) for step in template.render(context).steps]
    return lines


def _test_only(step_type: str, text: str) -> bool:
    """A step of features/steps/ (test-only, not offered to authors: it writes holidays.yaml)."""
    import features.steps.holidays  # noqa: F401

    return any(context.type == step_type and context.parser.is_matching(text)
               for context in step_function_context_registry.values()
               if context.step_func.__module__.startswith("features.steps."))


def test_every_step_the_features_use_is_in_the_catalogue() -> None:
    listed = {_function(entry, "en") for entry in ENTRIES}
    unmatched = [(name, step_type, text) for name, step_type, text in _feature_steps()
                 if not {form.context.step_func for form in forms_matching(step_type, text)} & listed
                 and not _test_only(step_type, text)]
    assert unmatched == []


def test_the_catalogue_prints_each_language_on_its_own() -> None:
    chinese, english = render("zh"), render("en")
    assert "案件状态为 \"{状态}\"" in chinese and "例： 那么 案件状态为 \"mediation.in_session\"" in chinese
    assert "the case is in state \"{state}\"" in english and "Then" not in chinese and "那么" not in english
    assert split_keyword("当 过了 3 天") == ("when", "过了 3 天")

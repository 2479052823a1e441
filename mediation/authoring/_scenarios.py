"""Run an author's Gherkin scenarios against one definition, on a scratch SQLite database.

The scenarios run under pytest and pytest-bdd, in this process, from a generated test module
that imports the step library and calls `scenarios(features)`. The scratch database is
migrated, holds the definition as the workflow's current version and the sample county
(built once); every scenario runs on its own copy of that file, as `features/conftest.py` does.
"""

from __future__ import annotations

import shutil
import tempfile
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mediation.authoring.steps.story import Story, UncheckedRefusal
from mediation.db import Database
from mediation.db.schema import upgrade_database
from mediation.demo.sample_county import SampleCounty, build_sample_county
from mediation.errors import MediationError
from mediation.workflows.definition import WorkflowDefinition

TEST_MODULE = '''from pytest_bdd import scenarios

from mediation.authoring.steps.library import *  # noqa: F403

scenarios({features!r})
'''


# In this process, quietly: the plugin reports each scenario; a feature file that cannot be read
# fails alone; generated modules are imported by path, so runs never share a module name.
PYTEST_OPTIONS = ("--import-mode=importlib", "--continue-on-collection-errors", "-s",
                  "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:warnings")


@dataclass
class ScenarioOutcome:
    """One scenario's result, in the words of its feature file."""

    feature: str  # the feature file's name
    name: str
    language: str  # the feature's language: "zh-CN", "en", …
    passed: bool
    step: str | None = None  # the failing step as written ("当 过了 3 天")
    reason: str | None = None  # why it failed, in a line or two
    no_such_step: bool = False
    details: str | None = None  # the Python traceback (shown with --verbose)

    @property
    def chinese(self) -> bool:
        return self.language.lower().startswith("zh")


def feature_files(features: Path) -> list[Path]:
    """The feature files under a folder (or the one file named)."""
    return [features] if features.is_file() else sorted(features.rglob("*.feature"))


def run_scenarios(definition: WorkflowDefinition, features: Path, *,
                  on_scenario: Callable[[ScenarioOutcome], None] = lambda outcome: None) -> list[ScenarioOutcome]:
    """Every scenario under `features`, run against `definition`; `on_scenario` hears each as it ends."""
    with tempfile.TemporaryDirectory(prefix="mediation-publish-") as scratch:
        folder = Path(scratch)
        template = _scratch_template(definition, folder / "template.db")
        plugin = _ScenarioPlugin(template, on_scenario)
        modules = []
        for feature in feature_files(features):  # a module each: a file that cannot be read fails alone
            module = folder / f"test_scenarios_{uuid.uuid4().hex[:12]}.py"
            module.write_text(TEST_MODULE.format(features=str(feature.resolve())), encoding="utf-8")
            plugin.modules[module.name] = feature.name
            modules.append(str(module))
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)  # an author's tags are theirs
            pytest.main([*modules, "-c", str(folder / "pytest.ini"), "--rootdir", str(folder), *PYTEST_OPTIONS],
                        plugins=[plugin])
        return plugin.outcomes


def _scratch_template(definition: WorkflowDefinition, path: Path) -> Path:
    """A migrated SQLite file where `definition` is the current version, holding the sample county."""
    url = f"sqlite:///{path}"
    upgrade_database(url)
    database = Database(url)
    try:
        database.workflows.current_version_id()  # the deployment's folder first, so the author's is the latest
        database.workflows.ensure_stored(definition)
        database.workflows.forget_current()
        build_sample_county(database)
    finally:
        database.dispose()
    return path


class _ScenarioPlugin:
    """The `story` fixture on a copy of the template, and the outcome of every scenario."""

    def __init__(self, template: Path, on_scenario: Callable[[ScenarioOutcome], None]) -> None:
        self.template = template
        self.on_scenario = on_scenario
        self.outcomes: list[ScenarioOutcome] = []
        self.modules: dict[str, str] = {}  # generated test module -> the feature file it runs
        self._running: dict[str, ScenarioOutcome] = {}
        self._unchecked: dict[str, MediationError] = {}

    @pytest.fixture
    def story(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
        path = tmp_path / "scenario.db"
        shutil.copyfile(self.template, path)
        database = Database(f"sqlite:///{path}")
        world = Story(db=database, county=SampleCounty())
        try:
            yield world
            world.assert_no_pending_refusal()
        except UncheckedRefusal as unchecked:  # the scenario ended on a refusal no Then step checked
            self._unchecked[request.node.nodeid] = unchecked.refusal
            raise
        finally:
            database.dispose()

    @pytest.hookimpl
    def pytest_bdd_before_scenario(self, request, feature, scenario) -> None:
        self._running[request.node.nodeid] = ScenarioOutcome(
            feature=Path(feature.filename).name, name=scenario.name, language=feature.language or "en", passed=True)

    @pytest.hookimpl
    def pytest_bdd_before_step_call(self, request, feature, scenario, step, step_func, step_func_args) -> None:
        request.getfixturevalue("story").phase = step.type

    @pytest.hookimpl
    def pytest_bdd_step_error(self, request, feature, scenario, step, step_func, step_func_args, exception) -> None:
        outcome = self._running[request.node.nodeid]
        self._fail(request.node.nodeid, step, _reason(exception, "zh" if outcome.chinese else "en"))

    @pytest.hookimpl
    def pytest_bdd_step_func_lookup_error(self, request, feature, scenario, step, exception) -> None:
        outcome = self._fail(request.node.nodeid, step, step.name)
        outcome.no_such_step = True

    def _fail(self, nodeid: str, step: Any, reason: str) -> ScenarioOutcome:
        outcome = self._running[nodeid]
        outcome.passed, outcome.step, outcome.reason = False, f"{step.keyword.strip()} {step.name}", reason
        return outcome

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = self._running.get(report.nodeid)
        if outcome is None:
            return
        if report.failed:
            outcome.passed = False
            unchecked = self._unchecked.pop(report.nodeid, None)
            outcome.reason = outcome.reason or (_refusal_words(unchecked, "zh" if outcome.chinese else "en")
                                                if unchecked else _error_lines(report.longreprtext))
            outcome.details = report.longreprtext
        if report.when == "teardown":
            self._finish(self._running.pop(report.nodeid))

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A feature file that cannot be read: reported under its own name, with the parser's words."""
        if report.failed:
            feature = self.modules.get(Path(report.nodeid.split("::")[0]).name, report.nodeid)
            self._finish(ScenarioOutcome(feature=feature, name=feature, language="en", passed=False,
                                         reason=_error_lines(report.longreprtext), details=report.longreprtext))

    def _finish(self, outcome: ScenarioOutcome) -> None:
        self.outcomes.append(outcome)
        self.on_scenario(outcome)


def _reason(exception: BaseException, language: str) -> str:
    """Why a step failed, in a line or two: a refusal's words, an assertion's message, or the error."""
    if isinstance(exception, MediationError):
        return _refusal_words(exception, language)
    if isinstance(exception, UncheckedRefusal):
        return _refusal_words(exception.refusal, language)
    text = str(exception).strip()
    if isinstance(exception, AssertionError):
        return _first_lines(text) or "the check did not hold"
    return _first_lines(f"{type(exception).__name__}: {text}" if text else "".join(
        traceback.format_exception_only(exception)))


def _refusal_words(refusal: MediationError, language: str) -> str:
    """The engine's refusal in the feature's language where it has the words (a guard's reason)."""
    words = (refusal.extra.get("reasons") or {}).get(language) or refusal.detail
    return f"{UNCHECKED[language]}{type(refusal).__name__}: {words}"


UNCHECKED = {"zh": "操作被拒绝：", "en": "the engine refused a step: "}


def _first_lines(text: str, count: int = 2) -> str:
    return "\n".join(line for line in text.splitlines()[:count] if line.strip())


def _error_lines(text: str) -> str:
    """The first two of the error's own lines in a pytest report (those marked E)."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return "\n".join(line for line in lines[:2] if line) or _last_line(text)


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""

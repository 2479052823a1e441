"""Load workflow definitions and their policy from YAML; cache one machine per version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mediation.workflows.definition import WorkflowDefinition, parse_definition

WORKFLOW_DIR = Path(__file__).parent
POLICY_FILE = "policy.yaml"
HOLIDAYS_FILE = "holidays.yaml"  # working-day arrangements (mediation.workflows.calendar), not a workflow


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def workflow_files(directory: Path = WORKFLOW_DIR) -> dict[str, Path]:
    """Workflow name -> YAML file; every YAML but the policy and holidays files is a workflow."""
    return {
        path.stem: path
        for path in sorted(directory.glob("*.yaml"))
        if path.name not in (POLICY_FILE, HOLIDAYS_FILE)
    }


def load_definition(name: str, directory: Path = WORKFLOW_DIR) -> WorkflowDefinition:
    """Read one workflow and the policy beside it."""
    files = workflow_files(directory)
    if name not in files:
        raise KeyError(f"no workflow named '{name}' (known: {', '.join(files)})")
    policy = read_yaml(directory / POLICY_FILE) or {}
    return parse_definition(read_yaml(files[name]) or {}, policy)


@lru_cache(maxsize=1)
def current_definition() -> WorkflowDefinition:
    """The shipped mediation workflow, read once per process."""
    return load_definition("mediation")


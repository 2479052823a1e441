"""Load workflow definitions and their policy from YAML: the deployment's folder or the package's.

A deployment keeps its own workflow and policy in a folder named by MEDIATION_WORKFLOW_DIR
(DESIGN §9.6); without it, the package's folder is used, which is also the reference a
deployment's folder is compared with.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mediation.workflows.definition import WorkflowDefinition, parse_definition

WORKFLOW_DIR = Path(__file__).parent
POLICY_FILE = "policy.yaml"
HOLIDAYS_FILE = "holidays.yaml"  # working-day arrangements (mediation.workflows.calendar), not a workflow
FOLDER_VARIABLE = "MEDIATION_WORKFLOW_DIR"


def workflow_dir() -> Path:
    """The deployment's folder of workflow and policy (MEDIATION_WORKFLOW_DIR), else the package's."""
    configured = os.environ.get(FOLDER_VARIABLE)
    return Path(configured) if configured else WORKFLOW_DIR


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def workflow_files(directory: Path | None = None) -> dict[str, Path]:
    """Workflow name -> YAML file; every YAML but the policy and holidays files is a workflow."""
    directory = directory or workflow_dir()
    return {
        path.stem: path
        for path in sorted(directory.glob("*.yaml"))
        if path.name not in (POLICY_FILE, HOLIDAYS_FILE)
    }


def load_definition(name: str, directory: Path | None = None) -> WorkflowDefinition:
    """Read one workflow and the policy beside it (from the deployment's folder unless named)."""
    directory = directory or workflow_dir()
    files = workflow_files(directory)
    if name not in files:
        raise KeyError(f"no workflow named '{name}' (known: {', '.join(files)})")
    policy = read_yaml(directory / POLICY_FILE) or {}
    return parse_definition(read_yaml(files[name]) or {}, policy)


@lru_cache(maxsize=1)
def current_definition() -> WorkflowDefinition:
    """The deployment's mediation workflow as its folder holds it, read once per process."""
    return load_definition("mediation")


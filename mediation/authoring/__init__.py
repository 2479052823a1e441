"""Policy authoring: the Gherkin step library, its catalogue, and publishing a checked definition.

`workflows steps` prints the catalogue; `workflows publish DIR` checks a folder's definition,
runs the author's scenarios against it on a scratch database and only then stores it.
"""

from mediation.authoring._catalogue import (
    CatalogueEntry,
    StepForm,
    catalogue,
    forms_matching,
    library_forms,
    render,
)
from mediation.authoring._publish import PublishResult, publish, store
from mediation.authoring._scenarios import ScenarioOutcome, feature_files, run_scenarios

__all__ = [
    "CatalogueEntry", "PublishResult", "ScenarioOutcome", "StepForm", "catalogue", "feature_files",
    "forms_matching", "library_forms", "publish", "render", "run_scenarios", "store",
]

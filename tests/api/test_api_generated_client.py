"""A client generated from the running server's OpenAPI document (openapi-python-client) builds
without a warning, knows each trigger's data fields, and drives a real transition (issue 11 item 16).

The generator is run as a user would run it, with one line of configuration: it reads no PDF media
type of its own (openapi-generators/openapi-python-client#607), and its documented
`content_type_overrides` lets it read the documents' `application/pdf` answer as the binary it is.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from api_support import Api

from mediation.workflows.loader import current_definition

pytestmark = pytest.mark.usefixtures("no_server_errors")

PACKAGE = "mediation_api_client"  # from the document's title, "mediation API"
GENERATOR_CONFIG = "content_type_overrides:\n  application/pdf: application/octet-stream\n"
NEXT_SESSION = (datetime.now() + timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)  # no offset


def _pascal(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


@pytest.fixture(scope="module")
def generated(api: Api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The client package generated from /schema/openapi.json, imported, and what the generator printed."""
    workdir = tmp_path_factory.mktemp("generated_client")
    (workdir / "config.yaml").write_text(GENERATOR_CONFIG)
    scripts = Path(sys.executable).parent  # the generator and the ruff it formats with
    result = subprocess.run(
        [str(scripts / "openapi-python-client"), "generate", "--url", f"{api.base_url}/schema/openapi.json",
         "--meta", "none", "--output-path", str(workdir / PACKAGE), "--config", str(workdir / "config.yaml")],
        cwd=workdir, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    printed = result.stdout + result.stderr
    assert result.returncode == 0, printed
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE), printed
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_the_generator_prints_no_warning(generated: tuple[ModuleType, str]) -> None:
    _, printed = generated
    assert "warning" not in printed.lower() and "error" not in printed.lower(), printed


def test_the_client_knows_each_triggers_data_fields(generated: tuple[ModuleType, str]) -> None:
    models = _module(generated[0], "models")
    for trigger in current_definition().triggers.values():
        variant = getattr(models, f"{_pascal(trigger.name)}Transition")
        data = getattr(models, f"{_pascal(trigger.name)}TransitionData")
        fields = {field.name: field for field in attrs.fields(data)}
        assert set(fields) == {spec.name for spec in trigger.fields}, trigger.name
        required = {name for name, field in fields.items() if field.default is attrs.NOTHING}
        assert required == {spec.name for spec in trigger.fields if spec.required}, trigger.name
        assert attrs.fields_dict(variant)["trigger"].type == f"Literal['{trigger.name}']"


def test_the_document_tells_transition_variants_apart_by_trigger(api: Api) -> None:
    document = api.anonymous().get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]
    union = schemas["TransitionRequest"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "trigger"
    assert set(mapping) == set(current_definition().triggers)
    assert [variant["$ref"] for variant in union["oneOf"]] == list(mapping.values())
    for trigger, reference in mapping.items():
        variant = schemas[reference.removeprefix("#/components/schemas/")]
        assert variant["properties"]["trigger"]["const"] == trigger
        assert variant["additionalProperties"] is False
        assert schemas[variant["properties"]["data"]["$ref"].rpartition("/")[2]]["additionalProperties"] is False
    operation = document["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]
    assert {(p["in"], p["name"]) for p in operation["parameters"]} >= {("header", "If-Match"),
                                                                     ("header", "Idempotency-Key")}
    assert "ETag" in operation["responses"]["200"]["headers"]
    intake = document["paths"]["/api/v1/cases"]["post"]
    assert ("header", "Idempotency-Key") in {(p["in"], p["name"]) for p in intake["parameters"]}
    assert document["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]["200"]["headers"]["ETag"]["required"]


def test_a_generated_client_fires_a_trigger_under_if_match_and_idempotency_key(
    api: Api, generated: tuple[ModuleType, str],
) -> None:
    package = generated[0]
    models = _module(package, "models")
    show = _module(package, "api.cases.api_v1_cases_case_id_show")
    transition = _module(package, "api.cases.api_v1_cases_case_id_transitions_transition")
    case_id = api.new_case("mediation.in_session")
    with package.AuthenticatedClient(base_url=api.base_url, token=api.token("mediator1")) as client:
        read = show.sync_detailed(case_id=case_id, client=client)
        assert isinstance(read.parsed, models.CaseDetail), read.content
        assert "adjourn" in read.parsed.available_triggers
        etag = read.headers["etag"]
        body = models.AdjournTransition(trigger="adjourn", data=models.AdjournTransitionData(
            next_session_at=NEXT_SESSION, reason="一方当事人需要时间筹措款项，改期再调。"))
        key = str(uuid.uuid4())
        answers = [transition.sync_detailed(case_id=case_id, client=client, body=body, if_match=etag,
                                            idempotency_key=key) for _ in range(2)]
    first, replay = answers
    assert first.status_code == 200, first.content
    assert isinstance(first.parsed, models.CaseDetail), first.content
    assert first.parsed.state == "mediation.assigned"
    assert first.parsed.version == read.parsed.version + 1 == api.version(case_id)
    assert first.headers["etag"] == f'"{first.parsed.version}"'
    assert replay.content == first.content and replay.headers["idempotent-replayed"] == "true"


def test_a_generated_client_reads_error_answers(api: Api, generated: tuple[ModuleType, str]) -> None:
    package = generated[0]
    models = _module(package, "models")
    transition = _module(package, "api.cases.api_v1_cases_case_id_transitions_transition")
    case_id = api.new_case("mediation.in_session")
    current = api.version(case_id)
    body = models.AdjournTransition(trigger="adjourn", data=models.AdjournTransitionData(next_session_at=NEXT_SESSION))
    with package.AuthenticatedClient(base_url=api.base_url, token=api.token("mediator1")) as client:
        stale = transition.sync_detailed(case_id=case_id, client=client, body=body, if_match=f'"{current - 1}"')
        malformed = transition.sync_detailed(case_id=case_id, client=client, body=body, if_match='"x"')
        unreadable = client.get_httpx_client().post(f"/api/v1/cases/{case_id}/transitions",
                                                    json={"trigger": "adjourn", "expected_version": "5"})
    assert stale.status_code == 409 and isinstance(stale.parsed, models.ErrorBody), stale.content
    assert stale.parsed.extra["current_version"] == current
    assert malformed.status_code == 400 and isinstance(malformed.parsed, models.ErrorBody), malformed.content
    assert malformed.parsed.extra["field"] == "If-Match"
    problem = models.ErrorBody.from_dict(unreadable.json())
    assert unreadable.status_code == 400
    assert [item.key for item in problem.extra] == ["expected_version"], unreadable.content
    assert api.version(case_id) == current

"""Schemathesis against the live OpenAPI document, as an authenticated user, with every check.

A server of its own (its own database, same world as the other API tests) so that the random
requests cannot disturb the cases the other tests look at, and its failed logins count against
its own database. The bearer token is given to schemathesis as the credentials of the document's
security scheme, so it knows which operations need it and probes them without it too.
Bounded: a few dozen examples per operation and phase, no deadline, derandomized.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from api_support import Api, running_api
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

MAX_EXAMPLES = 50  # per operation and phase
FUZZ_USER = "county_sup"  # reaches every case of 永嘉县 and may fire most triggers
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "422", "428", "429", "5xx"]

if not hasattr(pytest.Function, "_nodeid"):
    # schemathesis 4.32's lazy schemas read and rename `request.node._nodeid`, which pytest 9 no
    # longer has (its node ids are structured now): give it a stand-in that only schemathesis uses.
    def _get_nodeid(node: pytest.Function) -> str:
        return node.__dict__.get("_schemathesis_nodeid", node.nodeid)

    def _set_nodeid(node: pytest.Function, value: str) -> None:
        node.__dict__["_schemathesis_nodeid"] = value

    pytest.Function._nodeid = property(_get_nodeid, _set_nodeid)


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory.mktemp("schemathesis")) as api:
        yield api


@pytest.fixture(scope="module")
def api_schema(fuzz_api: Api):
    document = schemathesis.openapi.from_url(f"{fuzz_api.base_url}/schema/openapi.json")
    schemes = list((document.raw_schema.get("components") or {}).get("securitySchemes") or {})
    config = schemathesis.Config.from_dict({
        "auth": {"openapi": {name: {"bearer": fuzz_api.token(FUZZ_USER)} for name in schemes}},
        # Every check, as configured by default, except that a schema-valid request may also be
        # answered 422 (trigger data or a guard refused: the schema names each trigger's fields, the
        # engine also checks them against the case, the directory and its guards) or 428 (neither
        # If-Match nor expected_version, which OpenAPI cannot express as "one of a header and a body
        # field"): DESIGN §3 and §6. Nor can it say that the two must agree (see below).
        "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
        "headers": {} if schemes else {"Authorization": f"Bearer {fuzz_api.token(FUZZ_USER)}"},
    })
    loaded = schemathesis.openapi.from_url(f"{fuzz_api.base_url}/schema/openapi.json", config=config)
    loaded.hook("filter_failure")(_keep_failure)
    return loaded


def _keep_failure(context, failure, case, response) -> bool:
    """Every failure counts but those of the two rules below, which the document cannot express."""
    return (_keep_unless_versions_disagree(context, failure, case, response)
            and _keep_unless_no_such_unit(context, failure, case, response))


def _keep_unless_no_such_unit(_context, failure, case, response) -> bool:
    """A schema-valid unit code (the unit or partner filter), case or username that names none is an
    unknown filter value, 400 naming it (DESIGN §9.9): they are data, so the document cannot list them
    as it lists the other filters' values."""
    if not (isinstance(failure, RejectedPositiveData) and response.status_code == 400):
        return True
    extra = response.json().get("extra")
    field = extra.get("field") if isinstance(extra, dict) else None
    return not (field in ("unit", "case", "user", "partner") and extra.get("value") == (case.query or {}).get(field))


def _keep_unless_versions_disagree(_context, failure, case, response) -> bool:
    """Every failure counts but one: a schema-valid If-Match and expected_version naming two different
    versions are refused (400 naming expected_version), a rule between a header and a body field."""
    header = (case.headers or {}).get("If-Match")
    version = case.body.get("expected_version") if isinstance(case.body, dict) else None
    disagree = (header is not None and version is not None
                and header.removeprefix("W/").strip('"') != str(version))
    refused_for_it = response.status_code == 400 and response.json().get("extra") == {"field": "expected_version"}
    return not (isinstance(failure, RejectedPositiveData) and disagree and refused_for_it)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi(case) -> None:
    case.call_and_validate()

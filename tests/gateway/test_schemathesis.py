"""Every operation of the OpenAPI document, fuzzed with schemathesis.

The gateway runs with all services behind it, and a logged-in officer
of unit 79 sends the generated requests with the session cookie and the
CSRF header. No request may get a 5xx response.
"""
import pytest

from tests.gateway.test_registers import issue_decision, wait_for_rows

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

# Examples per operation and generation mode: about 1100 requests over
# the 23 fuzzed operations, which took about 25 s in a local run.
EXAMPLES = 25
# POST /logout would end the session that every other request uses.
SKIPPED = {("POST", "/api/v1/logout")}
MODES = (schemathesis.GenerationMode.POSITIVE,
         schemathesis.GenerationMode.NEGATIVE)


def operations(document):
    """Yield the schemathesis operations of DOCUMENT, minus SKIPPED."""
    schema = schemathesis.openapi.from_dict(document)
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


def fuzz(operation, client, mode, failures, **fixed):
    """Send EXAMPLES generated requests; record each 5xx in FAILURES."""
    settings = hypothesis.settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck))
    strategy = operation.as_strategy(generation_mode=mode, **fixed)

    @settings
    @hypothesis.given(case=strategy)
    def send(case):
        response = case.call(base_url=client.base, session=client)
        if response.status_code >= 500:
            body = (response.request.body or b"")[:300]
            failures.append(f"{case.method} {case.formatted_path} "
                            f"({mode.value}): {response.status_code}, "
                            f"request body {body!r}")

    try:
        send()
    except hypothesis.errors.Unsatisfiable:
        # An operation without parameters or body has no invalid input.
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise


def known_ids(operation, ids):
    """Return the real ids for the path parameters OPERATION names."""
    names = {parameter.name for parameter in operation.path_parameters}
    return {name: value for name, value in ids.items() if name in names}


def test_api_has_no_server_errors(registers_system, login):
    head, decision, path = issue_decision(login)
    wait_for_rows(head, path, {})
    officer = login("chv79")
    document = officer.get(f"{officer.base}/api/v1/openapi.json").json()
    ids = {"decision_id": decision["id"],
           "record_id": decision["judgment_record_id"],
           "unit": "79", "work_year": decision["work_year"]}
    failures = []

    for operation in operations(document):
        for mode in MODES:
            fuzz(operation, officer, mode, failures)
        real = known_ids(operation, ids)
        if real:
            fuzz(operation, officer, MODES[0], failures, path_parameters=real)

    assert failures == []
    assert officer.get(f"{officer.base}/api/v1/me").status_code == 200

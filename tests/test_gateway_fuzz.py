"""Schema-checking fuzz run over the gateway's own OpenAPI document (schemathesis), against a
real uvicorn server on 127.0.0.1, on SQLite and on PostgreSQL: no 5xx, no status code, content
type or body the document does not describe. Bounded: a few dozen examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer
from tests.gateway_support import ADMIN_TOKEN, AGENCY, auth, gateway_store, stub_verifier

EXAMPLES = 15  # per operation and generation mode: ~200 requests per database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def gateway(request, tmp_path):
    store = gateway_store(request.param, tmp_path)
    _, token = store.enrol(AGENCY, 1)
    app = create_app(GatewayConfig(store=store, verifier=stub_verifier, admin_token=ADMIN_TOKEN,
                                   max_batch_bytes=256 * 1024, max_chunk_bytes=64 * 1024))
    with GatewayServer(app) as server:
        yield server.url, token, app.openapi()
    store.close()


#: what the gateway promises for every generated request (schemathesis' own checks)
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
]


def _fuzz(op, mode, url, headers, calls):
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        calls["n"] += 1
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS, timeout=30)

    run()


def test_gateway_answers_as_documented(gateway):
    url, token, doc = gateway
    schema = schemathesis.openapi.from_dict(doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    calls = {"n": 0}
    failures = []
    for op in operations:
        headers = auth(ADMIN_TOKEN if op.path.endswith("/province/act") else token)
        has_input = bool(list(op.iter_parameters())) or bool(op.body)
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if has_input else [])
        for mode in modes:
            try:
                _fuzz(op, mode, url, headers, calls)
            except Exception as exc:
                failures.append(f"{op.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
    assert calls["n"] >= 100, calls  # the run was not vacuous
    print(f"schemathesis: {calls['n']} generated requests over {len(operations)} operations")


def test_openapi_documents_the_real_error_bodies(gateway):
    import requests

    url, token, doc = gateway
    served = requests.get(f"{url}/api/v1/openapi.json", timeout=10).json()
    assert served == doc
    assert "HTTPValidationError" not in str(doc)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code in ("400", "401", "422", "500", "503"):
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorModel"}, (path, method)
    assert set(doc["components"]["schemas"]["ErrorModel"]["required"]) == {"reason", "detail"}
    # and that is what a refusal really looks like
    r = requests.get(f"{url}/api/v1/events", params={"limit": "0"}, headers=auth(token),
                     timeout=10)
    assert r.status_code == 422 and set(r.json()) == {"reason", "detail"}

"""schemathesis over the whole OpenAPI schema: no input makes the API answer 500."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from consortium.organisations.constants import Role
from consortium.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# FUZZ_OPERATIONS="tender_bid|schedule" fuzzes only the operations whose id matches, while
# working on them; `make test` sets nothing and fuzzes every operation.
if os.environ.get("FUZZ_OPERATIONS"):
    schema = schema.include(operation_id_regex=os.environ["FUZZ_OPERATIONS"])


@pytest.fixture(autouse=True)
def keep_test_connection_open():
    """Calls go straight to the WSGI app, so stop it closing the test's transaction
    at the end of each request, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# schemathesis's generated cases are not distributed by xdist: `make test` runs this
# module in its own pytest run, without workers (marker `fuzz`).
@pytest.mark.fuzz
@pytest.mark.django_db
@schema.parametrize()
@settings(
    # 260 operations: a few examples each keeps `make test` within its 20 minutes
    # (each example costs about 0.25 s an operation here); FUZZ_EXAMPLES=50 fuzzes harder.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_no_input_makes_a_server_error(case, world, care, token_for):
    # As whoever reaches furthest into the operation: a commissioner for care, the consortium's
    # admin for the rest. (Both for every operation doubled the time and found nothing more:
    # the other role is refused after the same input checks.)
    role = Role.COMMISSIONER if case.path.startswith("/api/v1/care/") else Role.CONSORTIUM_ADMIN
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token_for(role)}"},
        checks=[not_a_server_error],
    )

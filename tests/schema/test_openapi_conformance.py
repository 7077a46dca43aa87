"""Schemathesis over every operation of the OpenAPI document, against the whole service (built
by bootstrap, talking to the emulators): a bounded, seeded run whose conformance checks —
no server error, documented status codes, content types, headers and response bodies,
malformed data refused — find nothing.

`positive_data_acceptance` is left out on purpose: a request can satisfy the schema and still
break a business rule the schema cannot state (a product that does not exist, maxShare below
minShare, an order not yet paid), which the service rightly refuses with 404, 409 or 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from litestar.testing import TestClient
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.databases import migrate_outside_loop
from tests.support.live_server import LiveServer

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, sandbox_server: LiveServer) -> Iterator[Any]:
    database = Path(tmp_path_factory.mktemp("schemathesis")) / "gonggu.db"
    url = f"sqlite+aiosqlite:///{database}"
    migrate_outside_loop(url)
    settings_ = Settings(
        database_url=url,
        public_base_url="http://testserver.local",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=2.0,
    )
    application = create_app(build_container(settings_))
    with TestClient(application, base_url="http://testserver.local") as client:
        # Something to find: ids 1 of a user, a product with an option, a paid order, a group.
        client.post("/api/v1/user", json={"name": "김민지"})
        client.post(
            "/api/v1/product",
            json={
                "name": "제주 감귤 5kg",
                "price": 30000,
                "options": [{"name": "10kg", "extraPrice": 5000}],
            },
        )
        yield application


def _run(operation: Any, mode: GenerationMode) -> str | None:
    """A seeded, bounded Hypothesis run of one operation; the first failure's report."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    try:
        run()
    except Unsatisfiable:
        return None  # no request of this mode exists for the operation (nothing to refuse)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
    return None


def test_every_operation_answers_as_documented(app: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/docs/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _run(operation, mode)) is not None
    ]

    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)

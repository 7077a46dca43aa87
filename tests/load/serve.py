"""One process of the load's stack, configured by GONGGU_* variables like `gonggu serve`:

    python -m tests.load.serve service --port N   # the service (bootstrap.create_app)
    python -m tests.load.serve sandbox --port N   # the four platform emulators

The emulators run in a process of their own so that the service's numbers are its own.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from adapters.config import Settings
from bootstrap import build_container, create_app, sandbox_config
from sandbox.server import create_sandbox_app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.serve")
    parser.add_argument("role", choices=("service", "sandbox"))
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    settings = Settings()
    if args.role == "service":
        app = create_app(build_container(settings))
    else:
        app = create_sandbox_app(sandbox_config(settings))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

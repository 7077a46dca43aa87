"""`gonggu check-config` and `gonggu serve` judge the configuration the same way, as a deploy
pipeline and an operator run them: subprocesses with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.config.test_production_verdict import LIVE

GONGGU = Path(sys.executable).parent / "gonggu"
TIMEOUT_S = 60


def gonggu(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GONGGU), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.fixture
def clean() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}


def test_check_config_accepts_a_complete_live_configuration(
    clean: dict[str, str], tmp_path: Path
) -> None:
    done = gonggu("check-config", env={**clean, **LIVE}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "configuration ok: env=production, payments=live, auth=jwt" in done.stdout
    assert "KAKAO_PAY, NAVER_PAY, OPEN_BANKING, TOSS_PAYMENTS" in done.stdout


def test_check_config_accepts_development_out_of_the_box(
    clean: dict[str, str], tmp_path: Path
) -> None:
    done = gonggu("check-config", env=clean, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "env=development, payments=sandbox, auth=test" in done.stdout


def test_check_config_prints_one_line_per_problem_and_fails(
    clean: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **clean,
        **LIVE,
        "GONGGU_DATABASE_URL": "sqlite+aiosqlite:///./gonggu.db",
        "GONGGU_JWT_SECRET": "short",
        "GONGGU_KAKAOPAY_CID": "TC0ONETIME",
        "GONGGU_TOSSPAYMENTS_SECRET_KEY": "test_gsk_0123456789abcdefghij",
    }
    done = gonggu("check-config", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert [line.split()[1].split("=")[0] for line in lines] == [
        "GONGGU_JWT_SECRET",
        "GONGGU_DATABASE_URL",
        "GONGGU_KAKAOPAY_CID",
        "GONGGU_TOSSPAYMENTS_SECRET_KEY",
    ]
    assert "invalid configuration (4 problems)" in done.stderr
    assert not (tmp_path / "gonggu.db").exists()


def test_serve_refuses_to_start_in_production_with_a_bad_configuration(
    clean: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean, **LIVE, "GONGGU_PAYMENTS_MODE": "sandbox"}
    env.pop("GONGGU_TOSSPAYMENTS_CLIENT_KEY")
    done = gonggu("serve", "--port", "9", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "refusing to start" in done.stderr
    assert "GONGGU_PAYMENTS_MODE=sandbox: production refuses the built-in emulators" in (
        done.stderr
    )
    assert "gonggu API:" not in done.stdout
    assert "Traceback" not in done.stderr


def test_serve_refuses_an_enabled_platform_without_credentials(
    clean: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean, **LIVE}
    env.pop("GONGGU_NAVERPAY_CLIENT_SECRET")
    done = gonggu("serve", "--port", "9", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "NAVER_PAY is enabled but not configured: set GONGGU_NAVERPAY_CLIENT_SECRET" in done.stderr
    )

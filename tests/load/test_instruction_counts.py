"""The instruction-counting tool's reading of callgrind's dumps (the tool itself runs the
service under valgrind for minutes: run by hand, `make bench-instructions`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.load.instructions import _instructions


def test_the_count_is_the_summary_of_the_newest_dump_of_that_process(tmp_path: Path) -> None:
    older, newer = tmp_path / "gonggu.callgrind.42.1", tmp_path / "gonggu.callgrind.42.2"
    older.write_text("version: 1\nevents: Ir\nsummary: 111\n")
    newer.write_text("version: 1\ncmd: python\nevents: Ir\nfl=x\nsummary: 2345678\n")
    (tmp_path / "gonggu.callgrind.7.1").write_text("summary: 999999999\n")  # another process
    newer.touch()

    assert _instructions(tmp_path, "gonggu.callgrind", 42) == 2345678


def test_no_dump_of_the_process_is_an_error_not_a_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tests.load.instructions.DUMP_TIMEOUT_S", 0.1)
    with pytest.raises(RuntimeError, match="no callgrind dump"):
        _instructions(tmp_path, "gonggu.callgrind", 42)

"""The whole life of a group on each payment platform."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("platforms/lifecycle.feature")

"""Checks on request fields, typed as KakaoPay's docs say (String / Integer)."""

from __future__ import annotations

from typing import Any

from sandbox.kakaopay.errors import bad_parameter

TEST_CIDS = frozenset({"TC0ONETIME"})
"""The single-payment test CID; live CIDs are issued by KakaoPay to a partner."""


def text(body: dict[str, Any], name: str, max_len: int = 100, required: bool = True) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_parameter(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise bad_parameter(f"{name} must be a String")
    if len(value) > max_len:
        raise bad_parameter(f"{name} must be at most {max_len} characters")
    return value


def integer(body: dict[str, Any], name: str, minimum: int, required: bool = True) -> int | None:
    """A JSON number: the JSON API types amounts and counts as Integer, and refuses `"1000"`."""
    value = body.get(name)
    if value is None:
        if required:
            raise bad_parameter(f"{name} is required")
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_parameter(f"{name} must be an Integer")
    if value < minimum:
        raise bad_parameter(f"{name} must be at least {minimum}")
    return value


def url(body: dict[str, Any], name: str) -> str:
    value = text(body, name, max_len=255)
    if not value.startswith(("http://", "https://")):
        raise bad_parameter(f"{name} must be an http(s) URL")
    return value


def cid(body: dict[str, Any]) -> str:
    value = text(body, "cid", max_len=10)
    if value not in TEST_CIDS:
        raise bad_parameter(f"invalid cid {value!r}")
    return value

"""Emulator of Toss Payments' core API v1 and its payment widget, under `/tosspayments`."""

from sandbox.tosspayments.router import tosspayments_router

__all__ = ["tosspayments_router"]

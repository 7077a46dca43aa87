"""Emulator of KakaoPay's online single payment API."""

from sandbox.kakaopay.router import kakaopay_router

__all__ = ["kakaopay_router"]

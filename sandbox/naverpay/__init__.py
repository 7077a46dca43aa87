"""Emulator of NaverPay's 결제형 API and payment window."""

from sandbox.naverpay.router import naverpay_router

__all__ = ["naverpay_router"]

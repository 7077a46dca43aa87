"""Who is calling: in `test` mode the request names the user (development only); in `jwt` mode
a Bearer token (HS256) does, and service endpoints need a token with `role: service`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from litestar import Request
from litestar.exceptions import NotAuthorizedException

from domain.errors import Forbidden


@dataclass(frozen=True)
class Caller:
    user_id: int | None
    is_service: bool

    def acting_user(self, requested: int | None) -> int:
        """The user this request acts for; a signed-in user may act only for themself."""
        if self.user_id is None:
            if requested is None:
                raise Forbidden("userId is required")
            return requested
        if requested is not None and requested != self.user_id:
            raise Forbidden("userId differs from the signed-in user")
        return self.user_id

    def require_service(self) -> None:
        if not self.is_service:
            raise Forbidden("this endpoint needs a service credential")


class Authenticator:
    def __init__(self, mode: str, secret: str | None) -> None:
        self._mode, self._secret = mode, secret

    def caller(self, request: Request[Any, Any, Any]) -> Caller:
        if self._mode == "test":
            return Caller(user_id=None, is_service=True)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("a Bearer token is required")
        try:
            claims = jwt.decode(token, self._secret or "", algorithms=["HS256"])
        except jwt.PyJWTError as exc:
            raise NotAuthorizedException(f"invalid token: {exc}") from exc
        if claims.get("role") == "service":
            return Caller(user_id=None, is_service=True)
        try:
            return Caller(user_id=int(claims["sub"]), is_service=False)
        except (KeyError, TypeError, ValueError) as exc:
            raise NotAuthorizedException("the token's sub must be a user id") from exc

"""Who is calling: in `test` mode the request names the user (development only); in `jwt` mode
a Bearer token (HS256) does, and service endpoints need a token with `role: service`.

A token is refused (401) unless it is HS256-signed with the secret, carries `exp` (and is not
expired), lives no longer than the configured maximum (`exp - iat`, or `exp - now` without
`iat`), and names the configured `iss` and `aud` when those are set. A user's `sub` is ASCII
digits naming an id in 1..2^63-1: `" 3 "`, `"+3"`, `"٣"`, `"3.0"` or a 21-digit number are not
user 3 or a server error, they are a bad token."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import jwt
from litestar import Request
from litestar.exceptions import NotAuthorizedException

from adapters.inbound.http.schemas import MAX_ID
from domain.errors import Forbidden

_DIGITS = re.compile(r"[0-9]{1,19}")
_LEEWAY_S = 30  # clock skew between the token's issuer and us


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


@dataclass(frozen=True)
class TokenRules:
    """What a Bearer token must satisfy beyond its signature."""

    max_lifetime_s: float = 24 * 3600.0
    issuer: str | None = None
    audience: str | None = None


class Authenticator:
    def __init__(self, mode: str, secret: str | None, rules: TokenRules | None = None) -> None:
        self._mode, self._secret, self._rules = mode, secret, rules or TokenRules()

    def caller(self, request: Request[Any, Any, Any]) -> Caller:
        if self._mode == "test":
            return Caller(user_id=None, is_service=True)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("a Bearer token is required")
        claims = self.claims(token.strip())
        if claims.get("role") == "service":
            return Caller(user_id=None, is_service=True)
        return Caller(user_id=user_id_of(claims.get("sub")), is_service=False)

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`; NotAuthorizedException (401) for any failure."""
        required = ["exp"] + (["iss"] if self._rules.issuer else [])
        required += ["aud"] if self._rules.audience else []
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret or "",
                algorithms=["HS256"],
                issuer=self._rules.issuer,
                audience=self._rules.audience,
                leeway=_LEEWAY_S,
                options={"require": required, "verify_aud": self._rules.audience is not None},
            )
        except jwt.PyJWTError as exc:
            raise NotAuthorizedException(f"invalid token: {exc}") from exc
        self._check_lifetime(claims)
        return claims

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        exp = claims["exp"]  # PyJWT has checked it is a number in the future
        iat = claims.get("iat")
        start = iat if isinstance(iat, int | float) and not isinstance(iat, bool) else time.time()
        if exp - start > self._rules.max_lifetime_s + _LEEWAY_S:
            raise NotAuthorizedException(
                f"invalid token: it lives longer than {int(self._rules.max_lifetime_s)} s "
                "(exp - iat); ask for a shorter-lived one"
            )


def user_id_of(sub: object) -> int:
    """The user id a token's `sub` names: a string of ASCII digits, 1..2^63-1."""
    if isinstance(sub, str) and _DIGITS.fullmatch(sub) and 1 <= int(sub) <= MAX_ID:
        return int(sub)
    raise NotAuthorizedException("invalid token: its sub must be a user id (ASCII digits)")

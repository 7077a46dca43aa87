from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, QueryParameter

from adapters.inbound.http.dependencies import caller_use_case
from adapters.inbound.http.envelope import failure, ok
from adapters.inbound.http.identity import Caller
from adapters.inbound.http.schemas import MAX_ID, MatchGroupBody, group_json
from application.expire_group import ExpireGroup
from application.match_group import MatchGroup, MatchGroupCommand
from application.queries import GroupConfirmationStatus

GroupId = Annotated[int, QueryParameter(name="groupId", ge=1, le=MAX_ID)]


class GroupController(Controller):
    path = "/api/v1"
    tags = ["groups"]
    dependencies = {
        "match": caller_use_case("match_group"),
        "expire": caller_use_case("expire_group"),
        "status": caller_use_case("group_status"),
    }

    @post("/group/matched", operation_id="matchGroup", status_code=200)
    async def matched(
        self,
        caller: NamedDependency[Caller],
        match: NamedDependency[MatchGroup],
        data: Annotated[MatchGroupBody, Body()],
    ) -> Response[Any]:
        """Records a group formed by the matcher; idempotent for the same pair."""
        caller.require_service()
        group = await match.execute(
            MatchGroupCommand(group_id=data.group_id, order_ids=data.order_id_list)
        )
        return ok(group_json(group, list(data.order_id_list)))

    @get("/group/expired", operation_id="expireGroupGet")
    async def expired_get(
        self,
        caller: NamedDependency[Caller],
        expire: NamedDependency[ExpireGroup],
        group_id: GroupId,
    ) -> Response[Any]:
        """Expires the group and refunds its members; idempotent."""
        return await _expire(caller, expire, group_id)

    @post("/group/expired", operation_id="expireGroup", status_code=200)
    async def expired_post(
        self,
        caller: NamedDependency[Caller],
        expire: NamedDependency[ExpireGroup],
        group_id: GroupId,
    ) -> Response[Any]:
        """Expires the group and refunds its members; idempotent."""
        return await _expire(caller, expire, group_id)

    @get("/transaction/status/group", operation_id="groupConfirmationStatus")
    async def confirmation_status(
        self,
        caller: NamedDependency[Caller],
        status: NamedDependency[GroupConfirmationStatus],
        group_id: GroupId,
        number_of_member: Annotated[int, QueryParameter(name="numberOfMember", ge=1, le=10**6)],
    ) -> Response[Any]:
        """True when the group has that many members and every one has confirmed."""
        caller.require_service()
        return ok(await status.execute(group_id, number_of_member))


async def _expire(
    caller: NamedDependency[Caller], expire: NamedDependency[ExpireGroup], group_id: int
) -> Response[Any]:
    caller.require_service()
    result = await expire.execute(group_id)
    data = group_json(result.group) | {
        "refundedOrderIds": sorted(result.refunded),
        "refundPendingOrderIds": sorted(result.refund_pending),
        "refundInProgressOrderIds": sorted(result.refund_in_progress),
        "refundErrors": {str(k): v for k, v in result.errors.items()},
    }
    if result.refund_pending:
        # The group is expired and the refunds are recorded; the platform has yet to agree.
        return failure(
            502,
            f"group {group_id} expired, but {len(result.refund_pending)} refund(s) are still "
            "pending with the platform and will be retried",
            data=data,
        )
    return ok(data)

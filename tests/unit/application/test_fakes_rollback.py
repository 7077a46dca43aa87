"""The fakes behave as the unit-of-work contract says, or the other tests prove nothing."""

from __future__ import annotations

import pytest

from domain.user import User
from tests.unit.fakes import T0, FakeUnitOfWorkFactory

pytestmark = pytest.mark.anyio


async def test_leaving_a_unit_of_work_without_commit_rolls_back() -> None:
    db = FakeUnitOfWorkFactory()
    async with db() as uow:
        await uow.users.add(User("kim", T0, T0))

    assert db.tables.users == {}
    assert (db.committed, db.rolled_back) == (0, 1)


async def test_a_change_to_a_loaded_entity_is_lost_without_commit() -> None:
    db = FakeUnitOfWorkFactory()
    async with db() as uow:
        await uow.users.add(User("kim", T0, T0))
        await uow.commit()
    async with db() as uow:
        user = await uow.users.get(1)
        assert user is not None
        user.name = "lee"

    assert db.tables.users[1].name == "kim"


async def test_a_commit_makes_changes_visible_to_the_next_unit_of_work() -> None:
    db = FakeUnitOfWorkFactory()
    async with db() as uow:
        await uow.users.add(User("kim", T0, T0))
        await uow.commit()
    async with db() as uow:
        user = await uow.users.get(1)

    assert user is not None and user.name == "kim"
    assert user is not db.tables.users[1]
    assert db.committed == 1


async def test_an_error_inside_the_unit_of_work_rolls_back() -> None:
    db = FakeUnitOfWorkFactory()
    with pytest.raises(RuntimeError):
        async with db() as uow:
            await uow.users.add(User("kim", T0, T0))
            raise RuntimeError("boom")

    assert db.tables.users == {}


async def test_ids_are_not_reused_after_a_rollback() -> None:
    db = FakeUnitOfWorkFactory()
    async with db() as uow:
        await uow.users.add(User("kim", T0, T0))
    async with db() as uow:
        user = User("lee", T0, T0)
        await uow.users.add(user)
        await uow.commit()

    assert user.id == 2

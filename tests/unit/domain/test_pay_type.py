from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.pay_type import PayType


@pytest.mark.parametrize("pay_type", list(PayType))
def test_every_canonical_name_parses_to_its_pay_type(pay_type: PayType) -> None:
    assert PayType.parse(pay_type.value) is pay_type


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("kakao_pay", PayType.KAKAO_PAY),
        (" TOSS_PAYMENTS ", PayType.TOSS_PAYMENTS),
        ("Naver_Pay", PayType.NAVER_PAY),
    ],
)
def test_names_are_parsed_ignoring_case_and_surrounding_spaces(raw: str, expected: PayType) -> None:
    assert PayType.parse(raw) is expected


@pytest.mark.parametrize("raw", ["OPEN_BANK", "open_bank", " Open_Bank "])
def test_open_bank_is_an_alias_of_open_banking(raw: str) -> None:
    assert PayType.parse(raw) is PayType.OPEN_BANKING


@pytest.mark.parametrize("raw", ["", "PAYPAL", "KAKAOPAY", "OPEN", "KAKAO PAY"])
def test_an_unknown_name_is_refused_listing_the_known_ones(raw: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        PayType.parse(raw)

    assert repr(raw) in raised.value.message
    for known in PayType:
        assert known.value in raised.value.message

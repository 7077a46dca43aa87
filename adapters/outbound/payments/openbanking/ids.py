"""Identifiers and timestamps in the formats the Open Banking spec requires (KST)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")  # Korea observes no daylight saving time
NINE_DIGITS = 1_000_000_000


def bank_tran_id(institution_code: str, attempt_id: int) -> str:
    """`이용기관코드(10) + "U" + 이용기관부여번호(9)`, unique per day across every instance.

    The 9 characters are the attempt's database id, zero-padded, so a retried attempt reuses its
    id and no two attempts share one. Ids past 999,999,999 wrap around (modulo 1e9): still
    unique within any day unless a billion attempts are made between the two.
    """
    if attempt_id < 0:
        raise ValueError(f"attempt id must not be negative, got {attempt_id}")
    return f"{institution_code}U{attempt_id % NINE_DIGITS:09d}"


def tran_dtime(at: datetime) -> str:
    """요청일시: yyyyMMddHHmmss in KST."""
    return at.astimezone(KST).strftime("%Y%m%d%H%M%S")


def tran_date(at: datetime) -> str:
    """거래일자: yyyyMMdd in KST."""
    return at.astimezone(KST).strftime("%Y%m%d")


def parse_api_dtm(value: object, fallback: datetime) -> datetime:
    """`api_tran_dtm` (yyyyMMddHHmmssSSS, KST) as an aware datetime, or `fallback`."""
    text = str(value or "")
    try:
        parsed = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return fallback
    millis = int(text[14:17]) if text[14:17].isdigit() else 0
    return parsed.replace(tzinfo=KST, microsecond=millis * 1000)


def print_content(text: str, limit: int = 20) -> str:
    """Cuts a 인자내역 to the spec's AH(20): at most `limit` bytes as Korean banks count them."""
    kept = ""
    for char in text:
        if len((kept + char).encode("cp949", errors="replace")) > limit:
            break
        kept += char
    return kept

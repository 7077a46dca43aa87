"""At most one platform lookup per transaction per interval, however often a page is read.

The result page needs no credential (a shopper's "being confirmed" page refreshes there) and
settles a waiting payment by asking its platform. Platforms rate-limit per merchant key, so a
script or many open tabs must not turn page reads into lookups with the shop's secret key:
only the first read in each interval asks; the others show the order as it stands.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class AskThrottle:
    def __init__(
        self,
        interval_s: float = 2.0,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval, self._capacity, self._clock = interval_s, capacity, clock
        self._last: OrderedDict[str, float] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self._capacity:
            self._last.popitem(last=False)
        return True

from adapters.inbound.callbacks.ask_throttle import AskThrottle


def test_one_ask_per_transaction_per_interval_and_the_oldest_forgotten_first() -> None:
    now = [100.0]
    throttle = AskThrottle(interval_s=2.0, capacity=2, clock=lambda: now[0])

    assert throttle.allow("a") and not throttle.allow("a")
    assert throttle.allow("b")
    now[0] += 2.0
    assert throttle.allow("a")
    assert throttle.allow("c")  # capacity 2: "b" is forgotten, "a" and "c" remembered
    assert throttle.allow("b") and not throttle.allow("c")

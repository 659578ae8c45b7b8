"""The staff login back-off on a clock the test moves: free tries, doubling lockouts, a cap, forgiveness."""

from __future__ import annotations

from ui.login_throttle import LoginThrottle


class Clock:
    """A clock that only moves when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, **options) -> LoginThrottle:
    return LoginThrottle(
        **{"free_attempts": 3, "backoff_s": 2.0, "max_backoff_s": 60.0, **options}, clock=clock
    )


def test_three_free_tries_then_lockouts_that_double_up_to_the_cap():
    clock = Clock()
    limiter = throttle(clock)
    locks = []
    for _ in range(9):
        assert limiter.wait_s("10.0.0.1") == 0
        attempts = limiter.failed("10.0.0.1")
        locks.append(attempts.locked_until - attempts.last)
        clock.now = attempts.locked_until  # the client waits exactly as long as it must
    assert locks == [0, 0, 0, 2, 4, 8, 16, 32, 60]


def test_a_locked_out_client_waits_and_others_do_not():
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(4):
        limiter.failed("10.0.0.1")
    assert limiter.wait_s("10.0.0.1") == 2.0
    assert limiter.wait_s("10.0.0.2") == 0
    clock.now += 1.5
    assert limiter.wait_s("10.0.0.1") == 0.5


def test_a_success_or_a_quiet_spell_starts_the_count_again():
    clock = Clock()
    limiter = throttle(clock)
    for _ in range(4):
        limiter.failed("a")
    limiter.succeeded("a")
    assert limiter.wait_s("a") == 0 and limiter.failed("a").failures == 1
    for _ in range(3):
        limiter.failed("b")
    clock.now += 61  # longer than the longest lockout since the last failure
    assert limiter.failed("b").failures == 1


def test_memory_is_bounded_by_dropping_the_longest_quiet_clients():
    clock = Clock()
    limiter = throttle(clock, max_clients=3)
    for client in ("a", "b", "c", "d"):
        for _ in range(5):
            limiter.failed(client)
        clock.now += 1
    assert limiter.wait_s("a") == 0 and limiter.wait_s("d") > 0

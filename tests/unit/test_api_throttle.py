"""Pacing decisions: the predicted bucket, reservations and adaptive page sizes."""

from __future__ import annotations

import asyncio

import pytest

from orderchamp_desktop.core.api.throttle import CostModel, Pacer, page_budget
from orderchamp_desktop.core.api.types import ThrottleState
from tests.unit.test_api_support import FakeTime

pytestmark = pytest.mark.timeout(10)


def state(remaining: float, at: float, limit: float = 1000, rate: float = 50) -> ThrottleState:
    return ThrottleState(limit=limit, remaining=remaining, restore_rate=rate, observed_at=at)


def test_throttle_state_reads_extensions_and_refills_to_the_limit() -> None:
    ext = {"throttle": {"requestedCost": 12, "actualCost": 3, "limit": 1000, "remaining": 400,
                        "restoreRate": 50.0}}
    parsed = ThrottleState.from_extensions(ext, observed_at=10.0)
    assert parsed is not None
    assert (parsed.requested_cost, parsed.actual_cost, parsed.limit) == (12, 3, 1000)
    assert parsed.predict_remaining(12.0) == 500
    assert parsed.predict_remaining(1000.0) == 1000
    assert parsed.predict_remaining(5.0) == 400  # a clock going backwards never adds points


@pytest.mark.parametrize("ext", [None, {}, {"throttle": None}, {"throttle": {"limit": "x"}},
                                 {"throttle": {"limit": 0, "remaining": 1, "restoreRate": 1}}])
def test_unusable_throttle_info_is_ignored(ext: object) -> None:
    assert ThrottleState.from_extensions(ext, 0.0) is None


def test_cost_model_probes_then_fits_a_line() -> None:
    model = CostModel()
    assert model.largest_page(900) is None
    model.observe(10, 122)  # 2 + 12 per node
    assert model.estimate(20) == pytest.approx(244)  # one point: conservative proportional guess
    assert model.largest_page(900) == 73
    model.observe(73, 878)
    assert model.estimate(50) == pytest.approx(602)
    assert model.largest_page(900) == 74
    assert model.largest_page(10**6) == 250  # never above the API's page limit
    assert model.largest_page(1) == 1


def test_page_budget_stays_under_bucket_and_ceiling() -> None:
    assert page_budget(None, 2000) == pytest.approx(1800)
    assert page_budget(state(0, 0, limit=1000), 2000) == pytest.approx(900)
    assert page_budget(state(0, 0, limit=5000), 2000) == pytest.approx(1800)


@pytest.mark.asyncio
async def test_pacer_waits_exactly_until_the_bucket_covers_the_cost() -> None:
    time = FakeTime()
    pacer = Pacer(time.clock, time.sleep)
    ticket, waited = await pacer.acquire(500)  # nothing known yet: go
    assert waited == 0
    pacer.release(ticket, state(remaining=100, at=time.now))
    _, waited = await pacer.acquire(500)
    assert waited == pytest.approx((500.5 - 100) / 50)
    assert time.now == pytest.approx(100 + waited)


@pytest.mark.asyncio
async def test_pacer_counts_requests_in_flight_until_their_answer_arrives() -> None:
    time = FakeTime()

    async def endless_sleep(_seconds: float) -> None:  # only an answer can end the wait
        await asyncio.Event().wait()

    pacer = Pacer(time.clock, endless_sleep)
    pacer.state = state(remaining=1000, at=time.now)
    first, _ = await pacer.acquire(800)
    assert pacer.wait_needed(800) == pytest.approx((800.5 - 200) / 50)  # 200 left while in flight
    second = asyncio.create_task(pacer.acquire(800))
    await asyncio.sleep(0)
    assert not second.done()
    # The first answer reports the real bucket (actual cost was small): the second goes now.
    pacer.release(first, state(remaining=900, at=time.now))
    _, waited = await asyncio.wait_for(second, 5)
    assert waited == 0


@pytest.mark.asyncio
async def test_pacer_never_waits_for_more_than_a_full_bucket() -> None:
    time = FakeTime()
    pacer = Pacer(time.clock, time.sleep)
    pacer.state = state(remaining=0, at=time.now)
    _, waited = await pacer.acquire(5000)  # admission needs min(requested, limit)
    assert waited == pytest.approx(1000 / 50)

"""Grad mode and scope recording are per thread and per asyncio task.

The thread tests force one interleaving with a barrier: every thread waits at the barrier
after each phase, and in each phase one named thread acts, so the order is fixed.
"""

import asyncio
import threading

import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad, record_scopes, scope


def run_in_phases(*scripts):
    """Run one thread per script; phase k runs each script's k-th action, in script order.

    A script is a list of callables (or None to idle in that phase). Returns the results of
    every action, per script; an exception in a thread fails the test.
    """
    phases = max(map(len, scripts))
    barrier = threading.Barrier(len(scripts))
    results = [[] for _ in scripts]
    errors = []

    def worker(i):
        try:
            for k in range(phases):
                for j in range(len(scripts)):  # phase k: script 0 acts, then script 1, ...
                    if j == i and k < len(scripts[i]) and scripts[i][k] is not None:
                        results[i].append(scripts[i][k]())
                    barrier.wait()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(scripts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_interleaved_no_grad_in_two_threads_leaves_recording_on():
    # enter A, enter B, leave A, leave B: with one process-wide switch this left it off
    a, b = no_grad(), no_grad()
    results = run_in_phases(
        [a.__enter__, None, lambda: a.__exit__(None, None, None), None, is_grad_enabled],
        [None, b.__enter__, None, lambda: b.__exit__(None, None, None), is_grad_enabled],
    )
    assert results[0][-1] is True and results[1][-1] is True
    assert is_grad_enabled()
    x = Value(2.0)
    assert (x * x).parents == (x, x)


def test_a_thread_inside_no_grad_does_not_strip_another_threads_graph():
    x = Value(3.0)
    ctx = no_grad()
    built = {}

    def build():
        built["y"] = x * x + 1
        return is_grad_enabled()

    results = run_in_phases(
        [ctx.__enter__, None, lambda: (x * x).parents, lambda: ctx.__exit__(None, None, None)],
        [None, build],
    )
    assert results[1] == [True]
    assert results[0][1] == ()  # the thread in no_grad records nothing itself
    y = built["y"]
    y.backward()
    assert x.grad == 6.0


def test_one_no_grad_instance_shared_by_threads():
    shared = no_grad()
    leave = lambda: shared.__exit__(None, None, None)
    results = run_in_phases(
        [shared.__enter__, None, leave, None, is_grad_enabled],
        [None, shared.__enter__, is_grad_enabled, leave, is_grad_enabled],
    )
    assert results[0][-1] is True and results[1][1:] == [False, None, True]
    assert is_grad_enabled()


def test_a_decorated_function_called_from_two_threads():
    @no_grad()
    def square(v):
        return v * v, is_grad_enabled()

    x = Value(2.0)
    results = run_in_phases([lambda: square(x), lambda: (x * x).parents], [lambda: square(x)])
    assert results[0][0][0].parents == () and results[0][0][1] is False
    assert results[0][1] == (x, x)
    assert results[1][0][0].parents == ()


def test_a_new_thread_starts_with_recording_on():
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
        assert not is_grad_enabled()
    assert seen == [True]


def test_scope_recording_belongs_to_its_thread():
    @scope("double")
    def double(v):
        return v * 2

    recording = record_scopes()
    x = Value(1.0)
    run_in_phases(
        [
            recording.__enter__,
            None,
            lambda: double(x),
            lambda: recording.__exit__(None, None, None),
        ],
        [None, lambda: double(x)],
    )
    assert [s.name for s in recording.scopes] == ["double"]
    assert recording.scopes[0].inputs == (x,)


def test_nested_recordings_end_innermost_first():
    @scope()
    def f(v):
        return v + 1

    with record_scopes() as outer:
        f(Value(1.0))
        with record_scopes() as inner:
            f(Value(2.0))
        f(Value(3.0))
    assert (len(outer), len(inner)) == (2, 1)


# ---------------------------------------------------------------------------------------------
# asyncio tasks


def test_asyncio_tasks_have_their_own_grad_mode():
    async def main():
        entered, built = asyncio.Event(), asyncio.Event()
        x = Value(2.0)

        async def quiet():
            with no_grad():
                entered.set()
                await built.wait()  # the other task runs while this one is inside no_grad
                return (x * x).parents

        async def loud():
            await entered.wait()
            y = x * x
            built.set()
            return y.parents, is_grad_enabled()

        return await asyncio.gather(quiet(), loud())

    quiet_parents, (loud_parents, loud_mode) = asyncio.run(main())
    assert quiet_parents == () and loud_mode is True and len(loud_parents) == 2


def test_no_grad_on_an_async_function_does_not_leak_at_await():
    async def main():
        inside, checked = asyncio.Event(), asyncio.Event()

        @no_grad()
        async def update():
            assert not is_grad_enabled()
            inside.set()
            await checked.wait()
            return is_grad_enabled()

        async def observer():
            await inside.wait()
            mode = is_grad_enabled()
            checked.set()
            return mode

        return await asyncio.gather(update(), observer()), is_grad_enabled()

    (update_mode, observer_mode), after = asyncio.run(main())
    assert (update_mode, observer_mode, after) == (False, True, True)


def test_no_grad_on_an_async_generator():
    @no_grad()
    async def modes(n):
        for _ in range(n):
            received = yield is_grad_enabled()
            assert received is None

    async def main():
        seen = []
        async for mode in modes(3):
            seen.append((mode, is_grad_enabled()))
        return seen

    assert asyncio.run(main()) == [(False, True)] * 3


def test_a_decorated_async_generator_can_be_closed_early():
    finished = []

    @no_grad()
    async def numbers():
        try:
            yield 1
            yield 2
        finally:
            finished.append(is_grad_enabled())

    async def main():
        agen = numbers()
        first = await agen.__anext__()
        await agen.aclose()
        return first

    assert asyncio.run(main()) == 1 and finished == [False]
    assert is_grad_enabled()


# ---------------------------------------------------------------------------------------------
# generators


def test_no_grad_on_a_generator_holds_inside_and_not_between_yields():
    x = Value(2.0)

    @no_grad()
    def powers(n):
        v = x
        for _ in range(n):
            v = v * x
            received = yield v, is_grad_enabled()
            assert is_grad_enabled() is False, received
        return "done"

    gen = powers(3)
    first, mode = next(gen)
    assert first.parents == () and mode is False
    assert is_grad_enabled() and (x * x).parents == (x, x)  # the caller records between yields
    second, mode = gen.send("hello")
    assert second.parents == () and mode is False
    next(gen)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"
    assert is_grad_enabled()


def test_enable_grad_on_a_generator_inside_no_grad():
    @enable_grad()
    def modes():
        yield is_grad_enabled()
        yield is_grad_enabled()

    with no_grad():
        assert list(modes()) == [True, True]
        assert not is_grad_enabled()


def test_a_decorated_generator_passes_throw_and_close_through():
    log = []

    @no_grad()
    def catcher():
        while True:
            try:
                yield "ready"
            except KeyError as error:
                log.append((str(error), is_grad_enabled()))
            except GeneratorExit:
                log.append(("closed", is_grad_enabled()))
                raise

    gen = catcher()
    next(gen)
    assert gen.throw(KeyError("k")) == "ready"
    gen.close()
    assert log == [("'k'", False), ("closed", False)]
    assert is_grad_enabled()


def test_an_empty_decorated_generator_just_stops():
    @no_grad()
    def empty():
        return
        yield  # a generator function

    assert list(empty()) == []


def test_decorating_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match=r"no_grad\(\): can decorate a function, got int"):
        no_grad()(3)

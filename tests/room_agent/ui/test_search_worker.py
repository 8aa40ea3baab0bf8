"""The search worker: newest keystroke wins, failures come back as answers, close stops it."""

from __future__ import annotations

import threading

from room_agent.ui.search_worker import LatestWinsWorker


def test_fast_typing_runs_the_first_and_the_last_search_only():
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []
    answers: list[str] = []
    done = threading.Event()

    def run(query: str) -> str:
        ran.append(query)
        if query == "z":
            started.set()
            release.wait(5)
        return query.upper()

    def deliver(answer):
        answers.append(answer.result)
        if answer.request == "zjl":
            done.set()

    worker = LatestWinsWorker(run, deliver)
    worker.submit("z")
    assert started.wait(5)
    worker.submit("zj")
    worker.submit("zjl")
    release.set()
    assert done.wait(5)
    worker.close()
    assert ran == ["z", "zjl"]
    assert answers == ["ZJL"]  # "z" finished after newer keys were pressed: not delivered


def test_a_failing_search_is_delivered_as_an_error_not_raised():
    got = []
    done = threading.Event()

    def run(query: str) -> str:
        raise ValueError("bad index")

    worker = LatestWinsWorker(run, lambda a: (got.append(a), done.set()))
    worker.submit("x")
    assert done.wait(5)
    worker.close()
    assert isinstance(got[0].error, ValueError) and got[0].result is None


def test_close_stops_the_thread_and_is_idempotent():
    worker = LatestWinsWorker(lambda q: q, lambda a: None, name="ktv-ui-search-test")
    worker.close()
    worker.close()
    assert not any(t.name == "ktv-ui-search-test" for t in threading.enumerate())

import pytest

from schedq import Job, Scheduler


def job(name, due, importance=0):
    return Job(name, lambda: name.upper(), due, importance)


def test_runs_due_jobs_in_order():
    s = Scheduler()
    s.add(job("late", 10))
    s.add(job("early", 1))
    s.add(job("early-important", 1, importance=5))
    ran = s.run_due(now=5)
    assert [j.name for j in ran] == ["early-important", "early"]
    assert ran[0].result == "EARLY-IMPORTANT"
    assert len(s) == 1


def test_cancel():
    s = Scheduler()
    s.add(job("a", 1))
    s.cancel("a")
    assert s.run_due(100) == []


def test_duplicate_names_rejected():
    s = Scheduler()
    s.add(job("a", 1))
    with pytest.raises(ValueError):
        s.add(job("a", 2))

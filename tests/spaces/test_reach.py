"""``Reach``: which spaces a connection reads and writes, and the errors that name the space and the right."""

from __future__ import annotations

import pytest

from jean_memory.errors import Forbidden, InvalidInput
from jean_memory.spaces.reach import Reach, allowed, parts
from jean_memory.store.space_records import Space

ME, OTHER = "me", "other"
PERSONAL = Space(ME, ME, "personal", 1.0)
WORK = Space("w1", ME, "Work", 2.0)
SHARED_READ = Space("s1", OTHER, "Household", 3.0, "other@example.com", "reader")
SHARED_WRITE = Space("s2", OTHER, "Trip", 4.0, "other@example.com", "writer")
ALL = (PERSONAL, WORK, SHARED_READ, SHARED_WRITE)


def test_a_connection_given_nothing_reaches_every_own_space_and_no_shared_one() -> None:
    assert allowed(ALL, None, ME) == (PERSONAL, WORK)
    assert allowed(ALL, ("w1", "s1", "unknown"), ME) == (WORK, SHARED_READ)
    assert allowed(ALL, (), ME) == ()


def test_a_space_is_named_by_id_or_by_the_name_of_an_own_space() -> None:
    reach = Reach(ME, ALL, ME)
    assert reach.find("w1") is WORK
    assert reach.find(" work ") is WORK  # case and spaces do not matter
    assert reach.find("s1") is SHARED_READ
    with pytest.raises(Forbidden, match="'Household' was not given"):
        reach.find("Household")  # another account's space by name is ambiguous: by id only
    for bad in (None, "", 3, "x" * 201):
        with pytest.raises(InvalidInput):
            reach.find(bad)


def test_writes_name_the_space_and_the_missing_right() -> None:
    reach = Reach(ME, (WORK, SHARED_READ, SHARED_WRITE), "w1")
    assert reach.writable() is WORK
    assert reach.writable("s2") is SHARED_WRITE
    with pytest.raises(Forbidden, match="space 'Household': you are a reader"):
        reach.writable("s1")
    with pytest.raises(Forbidden, match="'personal' was not given"):
        reach.writable("personal")
    with pytest.raises(Forbidden, match="no space it may write to"):
        Reach(ME, (SHARED_READ,), None).writable()


def test_reads_cover_every_reachable_space_grouped_by_owner() -> None:
    reach = Reach(ME, ALL, ME)
    assert reach.readable() == ALL
    assert reach.readable("s2") == (SHARED_WRITE,)
    assert parts(ALL) == [(ME, (ME, "w1")), (OTHER, ("s1", "s2"))]

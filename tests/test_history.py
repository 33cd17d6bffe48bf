"""bp_course.history: the timeline of Lesson 12 holds the people and years the seed texts name, in order."""

from bp_course.history import EVENTS


def test_the_events_are_those_of_the_issue_in_order_of_year():
    assert [(e.year, e.who.split()[-1]) for e in EVENTS] == [
        (1960, "Kelley"), (1961, "Bryson"), (1962, "Dreyfus"), (1970, "Linnainmaa"), (1974, "Werbos"),
        (1982, "Werbos"), (1986, "Williams"), (1993, "Wan")]
    assert "Rumelhart" in EVENTS[6].who and "Hinton" in EVENTS[6].who


def test_each_event_says_what_was_contributed_in_one_sentence():
    for event in EVENTS:
        assert event.what.endswith((".", ".\")", ").")) and event.what[0].islower()
        assert 30 < len(event.what) < 260

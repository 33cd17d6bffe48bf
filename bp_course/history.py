"""Who contributed what to backpropagation, as the course's seed texts tell it (Lesson 12, section 7).

Each sentence restates the Wikipedia article *Backpropagation* (the seed
text ``002``; its references in brackets) and claims nothing beyond it. The
course records who did what and takes no side in who was first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Event", "EVENTS"]


@dataclass(frozen=True)
class Event:
    """One contribution: the year, who made it, and what it was (one sentence).

    Examples
    --------
    >>> EVENTS[0].year, EVENTS[0].who
    (1960, 'Henry J. Kelley')
    """

    year: int
    who: str
    what: str


EVENTS = (
    Event(1960, "Henry J. Kelley", "derived the basics of continuous backpropagation in the context of control "
                                   "theory, using principles of dynamic programming."),
    Event(1961, "Arthur E. Bryson", "derived them too, for multi-stage processes in control theory, also using "
                                    "principles of dynamic programming."),
    Event(1962, "Stuart Dreyfus", "published a simpler derivation, based only on the chain rule."),
    Event(1970, "Seppo Linnainmaa", "published the general method of automatic differentiation (AD) for "
                                    "discrete connected networks of nested differentiable functions, which "
                                    "corresponds to backpropagation, and ran it on computers."),
    Event(1974, "Paul Werbos", "analysed it in depth in his PhD thesis and mentioned the possibility of applying "
                               "it to artificial neural networks."),
    Event(1982, "Paul Werbos", "applied Linnainmaa's automatic differentiation to neural networks in the way that "
                               "is used today."),
    Event(1986, "David E. Rumelhart, Geoffrey E. Hinton, Ronald J. Williams",
          "showed experimentally that the method can generate useful internal representations of the data in the "
          "hidden layers of neural networks; through their work backpropagation gained recognition."),
    Event(1993, "Eric A. Wan", "won an international pattern recognition contest through backpropagation, the "
                               "first to do so according to the article (his paper: \"Time series prediction by "
                               "using a connectionist network with internal delay lines\")."),
)
"""The contributions Lesson 12's timeline shows, in order of year."""

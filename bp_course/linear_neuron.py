r"""The linear neuron y = w . x of Lessons 01 and 02, as pure functions.

With examples ``x`` of shape ``(n, k)`` and targets ``t`` of shape ``(n,)``,
the error averaged over examples is

.. math:: E(w) = \frac{1}{n} \sum_p \tfrac{1}{2} (t_p - w \cdot x_p)^2,

a quadratic in the weights: its gradient is ``(1/n) sum_p (y_p - t_p) x_p``
and its Hessian ``H = x^T x / n`` does not depend on w. Gradient descent
``w <- w - eta grad E`` therefore contracts the error along each eigenvector
of H by the factor ``1 - eta lambda``, which gives the exact stability bound
``eta < 2 / lambda_max`` (Lesson 02).

Every function accepts a single weight vector ``(k,)`` or a whole grid
``(..., k)``, so the plots of Lesson 01 evaluate the bowl in one call.
"""

from __future__ import annotations

import numpy as np

from bp_course._validate import as_float_array, positive_number

__all__ = ["error", "gradient", "hessian", "centred", "stability_bound", "regime", "on_boundary", "descent_path", "REGIMES"]

REGIMES = ("creep", "converge", "oscillate", "diverge")
"""The learning-rate regimes of Lesson 02, from timid to explosive."""

CREEP = 0.1
"""eta lambda_max at or below this is called creeping: each step removes at most 10% of the error's distance."""

BOUNDARY_RTOL = 1e-9
"""r = eta lambda_max within this relative distance of a regime boundary counts as on it (rounding)."""


def _inputs(x):
    x = as_float_array(x, "inputs x")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"inputs x must be (examples x inputs), got shape {x.shape}")
    return x


def _data(x, t):
    x = _inputs(x)
    t = as_float_array(t, "targets t")
    t = t.reshape(-1) if t.size == x.shape[0] else t
    if t.shape != (x.shape[0],):
        raise ValueError(f"expected one target per example, {x.shape[0]} in all, got targets of shape {t.shape}")
    return x, t


def _weights(w, k):
    w = as_float_array(w, "weights w")
    if w.shape[-1:] != (k,):
        raise ValueError(f"expected weights with {k} entries in the last axis, got shape {w.shape}")
    return w


def error(w, x, t):
    """E(w), averaged over examples, for one weight vector or a grid of them (Lesson 01).

    Examples
    --------
    The training case (1, 1, 0): E = 1/2 (w1 + w2)^2.

    >>> float(error([0.5, 0.25], [[1.0, 1.0]], [0.0]))
    0.28125
    """
    x, t = _data(x, t)
    w = _weights(w, x.shape[1])
    y = w @ x.T                                   # (..., n)
    return 0.5 * np.mean((t - y) ** 2, axis=-1)


def gradient(w, x, t):
    """dE/dw = (1/n) sum_p (y_p - t_p) x_p, shaped like ``w`` (Lesson 02).

    Examples
    --------
    >>> gradient([0.5, 0.25], [[1.0, 1.0]], [0.0]).tolist()
    [0.75, 0.75]
    """
    x, t = _data(x, t)
    return _gradient(_weights(w, x.shape[1]), x, t)


def _gradient(w, x, t):
    residual = w @ x.T - t                        # (..., n): y - t
    return residual @ x / x.shape[0]


def hessian(x):
    r"""The constant Hessian H = x^T x / n of E (Lesson 01).

    Its eigenvalues are the curvatures of the bowl; a zero eigenvalue is a
    flat valley of minima (the single training case gives eigenvalues 2 and 0).

    Examples
    --------
    >>> np.linalg.eigvalsh(hessian([[1.0, 1.0]])).round(12).tolist()
    [0.0, 2.0]
    """
    x = _inputs(x)
    return x.T @ x / x.shape[0]


def centred(x) -> np.ndarray:
    """The inputs with each input's mean over the examples taken away (Lesson 09's comparison of conditioning).

    Centring removes the large eigenvalue of H that the inputs' common mean
    direction gives when every input is positive.

    Examples
    --------
    >>> centred([[1.0, 4.0], [3.0, 4.0]]).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    x = _inputs(x)
    return x - x.mean(axis=0)


def stability_bound(x) -> float:
    """The largest stable learning rate, 2 / lambda_max(H) (Lesson 02).

    Gradient descent converges for every start when ``eta`` is below this
    bound and diverges from almost every start above it.

    Examples
    --------
    >>> stability_bound([[1.0, 1.0]])
    1.0
    """
    lam = float(np.linalg.eigvalsh(hessian(x))[-1])
    if lam <= 0:
        raise ValueError("the inputs are all zero: E does not depend on the weights, every eta is stable")
    return 2.0 / lam


def on_boundary(r: float, bound: float) -> bool:
    """Whether r = eta lambda_max is on a regime boundary, to rounding (:data:`BOUNDARY_RTOL`)."""
    return abs(r - bound) <= BOUNDARY_RTOL * bound


def regime(eta, x) -> str:
    """Which of the four regimes a learning rate is in, from r = eta lambda_max (Lesson 02).

    ``"creep"`` for r <= 0.1, ``"converge"`` for 0.1 < r <= 1 (no overshoot),
    ``"oscillate"`` for 1 < r <= 2 (overshooting; shrinking unless r = 2), and
    ``"diverge"`` for r > 2.

    At r = 2 exactly (eta = eta_max) the steepest direction's factor
    1 - r is -1: the path bounces between two points for ever, neither
    converging nor growing. It overshoots every step and does not grow, so
    it is ``"oscillate"``; convergence needs the strict eta < eta_max. A
    rate on a boundary to rounding (:func:`on_boundary`) counts as on it,
    so eta_max computed another way is still ``"oscillate"``.

    Examples
    --------
    >>> [regime(eta, [[1.0, 1.0]]) for eta in (0.01, 0.4, 0.8, 1.0, 1.2)]
    ['creep', 'converge', 'oscillate', 'oscillate', 'diverge']
    """
    eta = positive_number(eta, "learning rate eta")
    r = eta * 2.0 / stability_bound(x)
    for name, bound in (("creep", CREEP), ("converge", 1.0), ("oscillate", 2.0)):
        if r <= bound or on_boundary(r, bound):
            return name
    return "diverge"


def descent_path(w0, x, t, eta, steps: int, *, limit: float = 1e6):
    """The iterates of gradient descent w <- w - eta dE/dw from w0 (Lesson 02).

    Parameters
    ----------
    w0 : array_like, shape (k,)
        The starting weights.
    x, t : array_like
        Examples and targets.
    eta : float
        The learning rate.
    steps : int
        How many steps to take.
    limit : float, optional
        A diverging path stops once a weight exceeds this in size, so plots
        and widgets never meet inf or overflow warnings.

    Returns
    -------
    ndarray, shape (m + 1, k)
        w0 and the m <= steps iterates that followed.

    Examples
    --------
    >>> descent_path([1.0, 0.0], [[1.0, 1.0]], [0.0], eta=0.25, steps=2).tolist()
    [[1.0, 0.0], [0.75, -0.25], [0.625, -0.375]]
    """
    x, t = _data(x, t)
    w = _weights(w0, x.shape[1]).reshape(-1).copy()
    eta = positive_number(eta, "learning rate eta")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    path = [w.copy()]
    for _ in range(int(steps)):  # the loop is the lesson: one step after another
        w = w - eta * _gradient(w, x, t)
        path.append(w.copy())
        if np.max(np.abs(w)) > limit:
            break
    return np.array(path)

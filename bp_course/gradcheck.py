r"""Gradient checking: central differences and relative errors (Lesson 07).

A backward pass is only trusted once it agrees with an independent
reference. The reference here is the central difference

.. math:: \frac{\partial f}{\partial w} \approx \frac{f(w + h) - f(w - h)}{2h},

whose truncation error is O(h^2). With float64 and h = 1e-5 it is accurate
to about 1e-10 relative to the gradient's size, so the course's tolerances
are, for the analytic gradient ``a`` and the numerical one ``n`` of an array:

* norm-wise: ``||a - n|| <= 1e-7 max(||a||, ||n||) + floor`` (:data:`NORM_RTOL`);
* per entry: ``|a - n| <= 1e-6 max(|a|, |n|) + max(1e-9, floor_1)``
  (:data:`ENTRY_RTOL`, :data:`ENTRY_ATOL`).

The floors are the noise of the central difference itself (:func:`noise_floor`):

.. math:: \mathrm{floor} = c \sqrt{m} \, (h^2 + \varepsilon / h) \, \max(|E|, 1),

with m the number of entries of the array (``floor_1`` is the floor for
m = 1), E the loss at which the gradient is taken, eps the float64
machine epsilon and c = :data:`NOISE_FACTOR`. The truncation error
grows like h^2 and the round-off like eps / h (each evaluation of E is
off by about eps |E|, divided by 2h), both in proportion to the loss's
magnitude; losses below 1 count as 1, where the round-off of the
outputs themselves dominates. Without the floor, a correct gradient
fails where the gradient is (nearly) zero, at an optimum, since the
relative error of pure noise is 1, and where the loss is large, whose
round-off alone exceeds 1e-7 relative (targets 1000 times larger).
:class:`GradCheck` reports the norm-wise and the largest per-entry
relative errors, and how the norm-wise error compares with its tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bp_course._validate import as_float_array, choose, positive_number

__all__ = [
    "H",
    "NORM_RTOL",
    "ENTRY_RTOL",
    "ENTRY_ATOL",
    "NOISE_FACTOR",
    "noise_floor",
    "numerical_derivative",
    "one_sided_difference",
    "central_difference",
    "difference_errors",
    "SCHEMES",
    "numerical_gradient",
    "compare",
    "norm_relative_error",
    "parameter_names",
    "GradCheck",
    "check_network",
]

NORM_RTOL = 1e-7
"""Largest accepted norm-wise relative error ``||a - n|| / max(||a||, ||n||)``."""
ENTRY_RTOL = 1e-6
"""Per-entry relative tolerance: ``|a - n| <= ENTRY_RTOL max(|a|, |n|) + ENTRY_ATOL``."""
ENTRY_ATOL = 1e-9
"""Per-entry absolute floor, for entries whose true gradient is (nearly) zero (at least :func:`noise_floor`)."""
NOISE_FACTOR = 10.0
"""Safety factor c of :func:`noise_floor`. Measured with c = 1 on 720 arrays of random networks (every activation
and loss, depths 1-3, targets scaled by 1 and 1e3): correct gradients at h = 1e-5 stay below 0.34 of the floor;
the truncation part alone (h = 1e-2) below 0.4 h^2, the round-off part alone (h = 1e-8) below 0.75 eps / h."""
H = 1e-5
"""The default central-difference step for float64 (Lesson 07 shows why)."""


def noise_floor(E=None, h=H, size=1) -> float:
    r"""Absolute error that central differences of a loss E with step h can show on correct gradients (Lesson 07).

    .. math:: c \sqrt{m} \, (h^2 + \varepsilon / h) \, \max(|E|, 1)

    h^2 bounds the truncation error, eps / h (eps the float64 machine
    epsilon) the round-off, both scaled by the loss's magnitude; ``size`` m
    entries add their noise in the norm, hence sqrt(m); c is
    :data:`NOISE_FACTOR`. :func:`compare` adds it to the norm-wise
    tolerance (and uses it per entry with m = 1 when it exceeds :data:`ENTRY_ATOL`).
    At the course's h = 1e-5 and a loss of order 1 it is 1.2e-9 per entry;
    it grows like h^2 with the step, so a large step (1e-2: 1e-3 per entry)
    leaves a check that only catches large errors: use h = 1e-5 in float64.

    Parameters
    ----------
    E : float, optional
        The loss at which the gradients are taken; unknown (None) counts as
        a loss of at most 1, as does any |E| < 1.
    h : float, optional
        The step of the central differences.
    size : int, optional
        The number of entries of the array compared.

    Examples
    --------
    >>> f"{noise_floor():.3g}"  # a loss of order 1, h = 1e-5: 10 (1e-10 + 2.2e-11)
    '1.22e-09'
    >>> f"{noise_floor(E=4.7e5, size=16):.2g}"  # targets 1000 times larger: a loss of order 1e5
    '0.0023'
    """
    h = positive_number(h, "step h")
    magnitude = 1.0 if E is None else max(abs(float(E)), 1.0)
    return float(NOISE_FACTOR * np.sqrt(size) * (h * h + np.finfo(np.float64).eps / h) * magnitude)


def numerical_derivative(f, z, h=H):
    """Central-difference derivative of an element-wise function, (f(z+h) - f(z-h)) / 2h.

    For functions like the activations of Lesson 03, where output k depends
    only on input k, so every entry can be perturbed at once.

    Examples
    --------
    >>> from bp_course.activations import logistic
    >>> round(float(numerical_derivative(logistic, 0.0)), 8)
    0.25
    """
    h = positive_number(h, "step h")
    return central_difference(lambda u: np.asarray(f(u)), as_float_array(z, "z"), h)


def one_sided_difference(f, z, h):
    """The one-sided (forward) difference (f(z + h) - f(z)) / h (Lesson 07).

    Its truncation error is O(h): the Taylor term f''(z) h / 2 does not
    cancel. Computed in the precision of ``z`` and ``h`` (no conversion), so
    float32 inputs show float32 round-off.

    Examples
    --------
    >>> round(one_sided_difference(lambda z: z ** 2, 1.0, 1e-3), 6)
    2.001
    """
    return (f(z + h) - f(z)) / h


def central_difference(f, z, h):
    """The central difference (f(z + h) - f(z - h)) / 2h (Lesson 07).

    The even Taylor terms cancel, so the truncation error is O(h^2).
    Computed in the precision of ``z`` and ``h``, like :func:`one_sided_difference`.

    Examples
    --------
    >>> round(central_difference(lambda z: z ** 2, 1.0, 1e-3), 9)
    2.0
    """
    return (f(z + h) - f(z - h)) / (2 * h)


SCHEMES = {"central": central_difference, "one-sided": one_sided_difference}
"""The difference schemes :func:`difference_errors` knows, by name."""


def difference_errors(f, exact, z, hs, *, scheme="central", dtype=np.float64) -> np.ndarray:
    r"""Absolute error of a difference quotient for each step h (Lesson 07's log-log plot).

    The error is truncation (falling like h^2 for central, h for one-sided
    differences) plus round-off (growing like eps / h, where eps is the
    machine epsilon of ``dtype``): it is smallest near h = eps^(1/3) for
    central and eps^(1/2) for one-sided differences.

    Parameters
    ----------
    f : callable
        An element-wise function that computes in the precision of its input.
    exact : float
        The true derivative f'(z), computed in float64.
    z : float
        Where the derivative is taken.
    hs : array_like
        Positive steps.
    scheme : {"central", "one-sided"} or callable, optional
        A named scheme, or a function ``scheme(f, z, h)`` (a learner's own).
    dtype : {numpy.float64, numpy.float32}, optional
        The precision z, h and f are evaluated in.

    Returns
    -------
    ndarray of float64
        ``|difference(h) - exact|`` for each h.

    Examples
    --------
    >>> err = difference_errors(np.sin, np.cos(1.0), 1.0, [1e-1, 1e-2])
    >>> bool(err[1] < err[0] / 50)  # ten times smaller h, a hundred times smaller error
    True
    """
    difference = scheme if callable(scheme) else SCHEMES[choose(scheme, SCHEMES, "difference scheme")]
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    hs = as_float_array(hs, "steps hs").reshape(-1)
    if np.any(hs <= 0):
        raise ValueError("steps hs must all be positive")
    exact = float(as_float_array(exact, "exact derivative"))
    z = dtype.type(float(as_float_array(z, "z")))
    return np.array([abs(float(difference(f, z, dtype.type(h))) - exact) for h in hs])


def numerical_gradient(f, arrays, h=H):
    """Central-difference gradient of a scalar function with respect to arrays.

    Each entry of each array is perturbed in place by +h and -h and then
    restored exactly, so ``f`` can read the arrays it closes over (a
    network's weights, say) and nothing is left changed.

    Parameters
    ----------
    f : callable
        ``f()`` returns a real number computed from the ``arrays``.
    arrays : ndarray or list of ndarray
        Floating-point arrays, perturbed in place.
    h : float, optional
        The step; 1e-5 (:data:`H`) suits float64 (Lesson 07 shows why).

    Returns
    -------
    list of ndarray
        One gradient per array, each with that array's shape and dtype.

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> g = numerical_gradient(lambda: float(np.sum(w ** 2)), w)
    >>> np.round(g[0], 6).tolist()
    [2.0, -4.0]
    """
    h = positive_number(h, "step h")
    if isinstance(arrays, np.ndarray):
        arrays = [arrays]
    grads = []
    for k, a in enumerate(arrays):
        if not isinstance(a, np.ndarray) or not np.issubdtype(a.dtype, np.floating):
            raise TypeError(f"array {k} must be a floating-point NumPy array (it is perturbed in place)")
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            original = a[i]
            a[i] = original + h
            f_plus = _scalar(f())
            a[i] = original - h
            f_minus = _scalar(f())
            a[i] = original
            g[i] = (f_plus - f_minus) / (2 * h)
        grads.append(g)
    return grads


def _scalar(value) -> float:
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {value.shape}")
    return float(value)


@dataclass
class GradCheck:
    """Comparison of analytic gradients with numerical ones, array by array.

    Attributes
    ----------
    names : list of str
        One label per array (``"W[0]"``, ``"b[0]"``, ...).
    norm_rel : list of float
        Norm-wise relative error per array (0 where both are all zero).
    max_entry_rel : list of float
        Largest per-entry relative error |a - n| / max(|a|, |n|) per array,
        over entries where that denominator is non-zero.
    entry_ok : list of bool
        Whether every entry meets ``|a - n| <= ENTRY_RTOL max(|a|,|n|) + max(ENTRY_ATOL, floor_1)``.
    norm_ratio : list of float
        ``||a - n||`` divided by the norm-wise tolerance
        ``norm_rtol max(||a||, ||n||) + floor`` (see :func:`noise_floor`):
        the array passes the norm-wise test when it is at most 1, and a
        bug shows as a large ratio (how far it is from passing).
    """

    names: list
    norm_rel: list = field(default_factory=list)
    max_entry_rel: list = field(default_factory=list)
    entry_ok: list = field(default_factory=list)
    norm_rtol: float = NORM_RTOL
    norm_ratio: list = field(default_factory=list)

    def _norm_ok(self) -> list:
        if len(self.norm_ratio) == len(self.norm_rel):
            return [r <= 1.0 for r in self.norm_ratio]
        return [r <= self.norm_rtol for r in self.norm_rel]  # a report built by hand, without the floor

    @property
    def passed(self) -> bool:
        """True when every array meets both tolerances."""
        return all(self._norm_ok()) and all(self.entry_ok)

    @property
    def failed(self) -> list:
        """Names of the arrays that miss either tolerance, in order (Lesson 07 reads bugs from them)."""
        return [name for name, norm_ok, ok in zip(self.names, self._norm_ok(), self.entry_ok)
                if not (ok and norm_ok)]

    @property
    def worst(self) -> float:
        """The largest norm-wise relative error over all arrays."""
        return max(self.norm_rel, default=0.0)

    def __str__(self) -> str:
        rows = [f"{'array':>8}  {'norm-wise rel. error':>20}  {'max entry rel. error':>20}  ok"]
        failed = set(self.failed)
        for name, nr, er in zip(self.names, self.norm_rel, self.max_entry_rel):
            ok = name not in failed
            rows.append(f"{name:>8}  {nr:>20.2e}  {er:>20.2e}  {'yes' if ok else 'NO'}")
        rows.append("gradient check " + ("passed" if self.passed else "FAILED"))
        return "\n".join(rows)

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table, not a dataclass dump
        printer.text(str(self))


def compare(analytic, numeric, names=None, *, E=None, h=H, norm_rtol=NORM_RTOL, entry_rtol=ENTRY_RTOL,
            entry_atol=ENTRY_ATOL) -> GradCheck:
    """Compare analytic gradients with numerical ones, using the course's tolerances.

    An array passes when ``||a - n|| <= norm_rtol max(||a||, ||n||) + floor``
    and every entry meets ``|a - n| <= entry_rtol max(|a|, |n|) + max(entry_atol, floor_1)``,
    where ``floor = noise_floor(E, h, a.size)`` and ``floor_1 = noise_floor(E, h)``
    are what central differences with step h of a loss E can be off by
    (:func:`noise_floor`; module docstring).

    Parameters
    ----------
    analytic, numeric : list of array_like
        Matching lists of gradients (the same shapes, pairwise).
    names : list of str, optional
        Labels for the report; ``"0"``, ``"1"``, ... by default.
    E : float, optional
        The loss at which the gradients were taken, which scales the noise
        floor; None counts as a loss of at most 1 (the course's networks).
        :func:`check_network` passes it.
    h : float, optional
        The step the numerical gradients were taken with (1e-5 by default).

    Examples
    --------
    >>> report = compare([np.array([1.0, 0.0])], [np.array([1.0 + 1e-12, 0.0])])
    >>> report.passed
    True
    >>> compare([np.array([1.0])], [np.array([1.1])]).passed
    False

    At an optimum the gradient is rounding noise both ways, so its relative
    error is about 1, yet it passes, below the floor:

    >>> report = compare([np.array([3e-17, -1e-16])], [np.array([2e-12, 1e-12])])
    >>> report.norm_rel[0] > 0.99, report.passed
    (True, True)
    """
    if isinstance(analytic, np.ndarray) or isinstance(numeric, np.ndarray):
        analytic, numeric = [analytic], [numeric]
    analytic, numeric = list(analytic), list(numeric)
    if len(analytic) != len(numeric):
        raise ValueError(f"got {len(analytic)} analytic but {len(numeric)} numerical gradients")
    names = [str(k) for k in range(len(analytic))] if names is None else list(names)
    report = GradCheck(names=names, norm_rtol=norm_rtol)
    entry_floor = max(entry_atol, noise_floor(E, h))
    for name, a, n in zip(names, analytic, numeric):
        a = as_float_array(a, f"analytic gradient {name}", dtype=np.float64)
        n = as_float_array(n, f"numerical gradient {name}", dtype=np.float64)
        if a.shape != n.shape:
            raise ValueError(f"gradient {name}: analytic shape {a.shape} differs from numerical shape {n.shape}")
        diff = np.abs(a - n)
        scale = np.maximum(np.abs(a), np.abs(n))
        report.norm_rel.append(norm_relative_error(a, n))
        allowed = norm_rtol * max(np.linalg.norm(a), np.linalg.norm(n)) + noise_floor(E, h, a.size)
        report.norm_ratio.append(float(np.linalg.norm(a - n) / allowed))
        nonzero = scale > 0
        report.max_entry_rel.append(float(np.max(diff[nonzero] / scale[nonzero])) if nonzero.any() else 0.0)
        report.entry_ok.append(bool(np.all(diff <= entry_rtol * scale + entry_floor)))
    return report


def norm_relative_error(a, n) -> float:
    """The norm-wise relative error ``||a - n|| / max(||a||, ||n||)``, 0 when both are zero (Lesson 07).

    Examples
    --------
    >>> round(norm_relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0]) * 1.1), 6)
    0.090909
    >>> norm_relative_error(np.zeros(2), np.zeros(2))
    0.0
    """
    denom = max(np.linalg.norm(a), np.linalg.norm(n))
    return float(np.linalg.norm(a - n) / denom) if denom > 0 else 0.0


def parameter_names(n_layers: int) -> list:
    """Labels of a network's parameters in the order of ``Network.params``.

    Examples
    --------
    >>> parameter_names(2)
    ['W[0]', 'b[0]', 'W[1]', 'b[1]']
    """
    return [f"{kind}[{l}]" for l in range(n_layers) for kind in ("W", "b")]


def check_network(network, x, t, h=H, **tolerances) -> GradCheck:
    """Check a network's backprop gradients against central differences.

    The tolerances are :func:`compare`'s, with the noise floor scaled by
    the network's error E on (x, t) and by the step h
    (``c sqrt(m) (h^2 + eps / h) max(|E|, 1)``, :func:`noise_floor`), so a
    correct gradient passes at an optimum and at any scale of the loss.

    Parameters
    ----------
    network : bp_course.network.Network
        The network; its parameters are perturbed and restored.
    x, t : array_like
        Inputs and targets (one example or a batch).
    h : float, optional
        Central-difference step.
    **tolerances
        ``norm_rtol``, ``entry_rtol``, ``entry_atol`` overrides for :func:`compare`.

    Notes
    -----
    The floor uses float64's eps whatever the network's dtype: the course's
    tolerances are float64's, and float32 differences miss them (Lesson 07).

    Examples
    --------
    >>> from bp_course.network import Network
    >>> net = Network([2, 3, 1], "tanh", seed=1)
    >>> check_network(net, [[0.5, -1.0]], [[1.0]]).passed
    True
    """
    grads = network.gradients(x, t)
    numeric = numerical_gradient(lambda: network.error(x, t), network.params, h=h)
    return compare(grads.as_list(), numeric, parameter_names(len(network.W)), E=grads.E, h=h, **tolerances)

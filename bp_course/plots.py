r"""The course's figures, drawn once here and called from the notebooks.

Every function takes what it draws as arguments (no globals), draws with the
colour-blind-safe Okabe-Ito palette, titles its figure and labels its axes
with the lesson's symbols, and returns the matplotlib object it drew on, so
a notebook cell reads ``_ = plots.error_parabola(t=0.0)``. Nothing here
changes matplotlib's global settings.

Every figure is saved at most :data:`MAX_WIDTH` inches wide, so that at the inline
backend's resolution (:data:`DPI`) it fits JupyterLab's output area without
being shrunk, and no text is smaller than :data:`MIN_FONT_PX` pixels there.
Colour bars are as tall as their plot (:func:`_colorbar`).

Lessons 01-02 use :func:`error_parabola`, :func:`error_bowl`,
:func:`error_contours` and :func:`regime_paths`; Lesson 03
:func:`activation_curves`; Lesson 04 :func:`error_curves`; Lesson 05 and
later :func:`network_diagram`; Lesson 06 :func:`growth`; Lesson 07
:func:`step_errors`; Lesson 08 :func:`lines`; Lesson 09 :func:`xor_regions`,
:func:`hidden_space`, :func:`stuck_fractions`, :func:`learning_curves`,
:func:`digit_images` and :func:`confusion_matrix`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from bp_course import activations, linear_neuron
from bp_course._validate import as_float_array, positive_number

__all__ = ["COLORS", "CYCLE", "error_parabola", "error_bowl", "error_contours", "regime_paths",
           "activation_curves", "error_curves", "lines", "growth", "step_errors", "network_diagram",
           "paths_side_by_side", "paths_panel", "learning_rate_sensitivity",
           "xor_regions", "hidden_space", "stuck_fractions", "learning_curves", "digit_images", "confusion_matrix",
           "timeline"]

COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""The Okabe-Ito palette, distinguishable with every common colour-vision deficiency."""

CYCLE = ("blue", "vermillion", "green", "orange", "purple", "sky")
"""The order in which lines take colours."""

_CMAP = "cividis"  # perceptually uniform and readable with colour-vision deficiencies

DPI = 100
"""Pixels per inch of the figures in a notebook: matplotlib's ``figure.dpi``, which the inline backend keeps."""

MAX_WIDTH = 8.5
"""The widest figure, in inches: 850 pixels at :data:`DPI`, inside the output area of a JupyterLab notebook
(about 900 pixels in a 1280-pixel-wide window with the file browser open), so no figure is shrunk."""

FULL_WIDTH = MAX_WIDTH - 0.3
"""The width of the widest figures, in inches: the inline backend saves a figure with a 0.1-inch pad around
what is drawn, and constrained layout draws up to a few pixels from the edge."""

MIN_FONT_PX = 10
"""The smallest text, in pixels at :data:`DPI` (7.2 points: matplotlib's ``"small"`` is 8.3 points)."""


def _color(i: int) -> str:
    return COLORS[CYCLE[i % len(CYCLE)]]


def _axes(ax, **figure):
    if ax is None:
        _, ax = plt.subplots(layout="constrained", **figure)
    return ax


def _colorbar(ax, mappable, **kwargs):
    """A colour bar beside ``ax`` and exactly as tall as it, also when ``ax`` keeps an equal aspect.

    ``fig.colorbar(ax=...)`` takes the height of the space the layout gives
    ``ax``, which is taller than an equal-aspect plot drawn inside it; an
    inset axes is placed relative to the plot itself.
    """
    return ax.figure.colorbar(mappable, cax=ax.inset_axes([1.04, 0.0, 0.05, 1.0]), **kwargs)


def _panels(n: int, panel: tuple, **kwargs):
    """A figure of ``n`` panels of ``panel`` = (width, height) inches, in as many rows as :data:`FULL_WIDTH` needs.

    Returns the figure and its ``n`` axes in reading order (spare cells of
    the last row are removed).
    """
    columns = max(1, min(n, int(FULL_WIDTH / panel[0] + 1e-9)))
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * panel[0], rows * panel[1]), layout="constrained",
                             squeeze=False, **kwargs)
    axes = list(axes.ravel())
    for spare in axes[n:]:
        spare.remove()
    return fig, axes[:n]


def error_parabola(t: float = 0.0, y=None, *, span: float = 2.0, tangent: bool = False, ax=None):
    r"""E = 1/2 (t - y)^2 against the output y: the parabola of Lesson 01.

    Parameters
    ----------
    t : float
        The target; the parabola's minimum touches E = 0 at y = t.
    y : float, optional
        An output to mark, with its error.
    span : float
        The plot shows y in [t - span, t + span].
    tangent : bool
        Also draw the tangent at ``y``, whose slope is dE/dy = y - t (Eq. 4).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = error_parabola(t=0.0, y=0.6)
    >>> ax.get_xlabel()
    'output $y$'
    """
    t = float(as_float_array(t, "target t"))
    span = positive_number(span, "span")
    ax = _axes(ax, figsize=(5.5, 3.6))
    ys = np.linspace(t - span, t + span, 201)
    ax.plot(ys, 0.5 * (t - ys) ** 2, color=_color(0), label=r"$E = \frac{1}{2}(t - y)^2$")
    ax.plot([t], [0.0], "o", color=_color(2), label=f"minimum: $y = t = {t:g}$, $E = 0$")
    if y is not None:
        y = float(as_float_array(y, "output y"))
        E = 0.5 * (t - y) ** 2
        ax.plot([y], [E], "o", color=_color(1), label=f"$y = {y:.2f}$, $E = {E:.3f}$")
        if tangent:
            slope = y - t
            ys_t = np.array([y - 0.6 * span, y + 0.6 * span])
            ax.plot(ys_t, E + slope * (ys_t - y), "--", color=_color(1),
                    label=f"tangent, slope $dE/dy = y - t = {slope:.2f}$")
    ax.set_xlim(t - span, t + span)  # the same for every y: the axis stays put while a slider moves y
    ax.set_ylim(-0.1 * span ** 2 / 2, 1.05 * span ** 2 / 2)
    ax.set_xlabel("output $y$")
    ax.set_ylabel("error $E$")
    ax.set_title(f"The error of one output, target $t = {t:g}$")
    ax.axhline(0.0, color=COLORS["black"], linewidth=0.5)
    # below the plot, where it can hide no point of the curve
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize="small")
    return ax


def _grid(x, t, extent, center, n):
    center = np.zeros(2) if center is None else as_float_array(center, "center").reshape(2)
    w1 = np.linspace(center[0] - extent, center[0] + extent, n)
    w2 = np.linspace(center[1] - extent, center[1] + extent, n)
    W1, W2 = np.meshgrid(w1, w2)
    E = linear_neuron.error(np.stack([W1, W2], axis=-1), x, t)
    return W1, W2, E


def _check_two_weights(x):
    x = as_float_array(x, "inputs x")
    if x.shape[-1] != 2:
        raise ValueError(f"the error bowl is drawn over two weights; got inputs with {x.shape[-1]} features")
    return x


def error_contours(x, t, *, w=None, paths=None, extent: float = 2.0, center=None, levels: int = 14,
                   colorbar: bool = True, ax=None, title: str | None = None):
    r"""Contour lines of the linear neuron's error E(w1, w2), seen from above (Lessons 01-02).

    Parameters
    ----------
    x, t : array_like
        Training examples ``(n, 2)`` and targets ``(n,)``.
    w : array_like, shape (2,), optional
        A point to mark with its error.
    paths : dict, optional
        ``label -> array (m, 2)`` of gradient-descent iterates to draw.
    extent : float
        Half the width of the square shown.
    center : array_like, optional
        The centre of the square, (0, 0) by default.
    levels : int
        The number of contour levels, spaced quadratically so the flat
        bottom of the bowl is resolved as well as its steep walls.
    colorbar : bool
        Draw a colour bar for E.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = error_contours([[1.0, 1.0]], [0.0], w=[0.5, 0.5])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('weight $w_1$', 'weight $w_2$')
    """
    x = _check_two_weights(x)
    extent = positive_number(extent, "extent")
    ax = _axes(ax, figsize=(4.6, 4.2))
    W1, W2, E = _grid(x, t, extent, center, 101)
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an integer of at least 2, got {levels!r}")
    low, high = float(E.min()), float(E.max())
    steps = low + (high - low) * np.linspace(0.0, 1.0, int(levels) + 1) ** 2 if high > low else int(levels)
    filled = ax.contourf(W1, W2, E, levels=steps, cmap=_CMAP)
    ax.contour(W1, W2, E, levels=filled.levels, colors="white", linewidths=0.4)
    if colorbar:
        _colorbar(ax, filled, label="error $E$", format="%.2g")
    lo1, hi1 = W1[0, 0], W1[0, -1]
    lo2, hi2 = W2[0, 0], W2[-1, 0]
    for i, (label, path) in enumerate((paths or {}).items()):
        path = as_float_array(path, f"path {label!r}")
        ax.plot(path[:, 0], path[:, 1], "o-", color=_color(i + 1), markersize=3, linewidth=1.2, label=label)
        # the start, whole even on the edge of the square (a start outside it stays clipped, off other panels)
        inside = bool(lo1 <= path[0, 0] <= hi1 and lo2 <= path[0, 1] <= hi2)
        ax.plot(path[:1, 0], path[:1, 1], "s", color=_color(i + 1), markersize=6, clip_on=not inside)
    if w is not None:
        w = as_float_array(w, "weights w").reshape(2)
        E_w = float(linear_neuron.error(w, x, t))
        # large, ringed, above everything, and not clipped: whole even on the edge of the square
        ax.plot([w[0]], [w[1]], "o", color=COLORS["vermillion"], markeredgecolor="white", markeredgewidth=2,
                markersize=12, zorder=5, clip_on=False, label=f"$w = ({w[0]:.2f}, {w[1]:.2f})$, $E = {E_w:.3f}$")
    if paths or w is not None:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    ax.set_xlim(lo1, hi1)
    ax.set_ylim(lo2, hi2)
    ax.set_aspect("equal")
    ax.set_xlabel("weight $w_1$")
    ax.set_ylabel("weight $w_2$")
    ax.set_title(title or "Contours of $E(w_1, w_2)$")
    return ax


def error_bowl(x, t, *, w=None, extent: float = 2.0, center=None, title: str | None = None):
    r"""The error over two weights as a surface and as contours, side by side (Lesson 01).

    Parameters
    ----------
    x, t : array_like
        Training examples ``(n, 2)`` and targets ``(n,)``.
    w : array_like, shape (2,), optional
        A point to mark on both views.
    extent, center
        The square of weights shown, as in :func:`error_contours`.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = error_bowl([[1.0, 1.0]], [0.0])
    >>> [ax.name for ax in fig.axes]  # the colour bar is an inset of the contours
    ['3d', 'rectilinear']
    """
    x = _check_two_weights(x)
    extent = positive_number(extent, "extent")
    fig = plt.figure(figsize=(FULL_WIDTH, 3.8), layout="constrained")
    # computed_zorder=False: artists are drawn in zorder, so the point is drawn after the surface, never behind it
    surface = fig.add_subplot(1, 2, 1, projection="3d", computed_zorder=False)
    W1, W2, E = _grid(x, t, extent, center, 61)
    surface.plot_surface(W1, W2, E, cmap=_CMAP, linewidth=0, antialiased=False, zorder=1)  # a third of the PNG size
    floor = -0.05 * float(E.max())
    surface.set_zlim(floor, float(E.max()))
    if w is not None:
        w = as_float_array(w, "weights w").reshape(2)
        E_w = float(linear_neuron.error(w, x, t))
        # its shadow on the floor and a drop line, then the point itself, on top of everything
        surface.plot([w[0], w[0]], [w[1], w[1]], [floor, E_w], ":", color=COLORS["black"], linewidth=1.2, zorder=3)
        surface.scatter([w[0]], [w[1]], [floor], color=COLORS["black"], marker="x", s=40, depthshade=False,
                        zorder=3, label="shadow on the floor")
        surface.scatter([w[0]], [w[1]], [E_w], color=COLORS["vermillion"], edgecolors="white", linewidths=1.5,
                        s=90, depthshade=False, zorder=4, label="the point w")
    surface.set_xlabel("$w_1$")
    surface.set_ylabel("$w_2$")
    surface.set_zlabel("$E$")
    surface.set_title("Surface")
    surface.view_init(elev=28, azim=-60)
    error_contours(x, t, w=w, extent=extent, center=center, ax=fig.add_subplot(1, 2, 2), title="Contours")
    fig.suptitle(title or "The error of the linear neuron over its two weights")
    return fig


def _regime_order(name):
    return linear_neuron.REGIMES.index(name) if name in linear_neuron.REGIMES else len(linear_neuron.REGIMES)


def regime_paths(x, t, w0, etas, *, steps: int = 20, extent: float = 2.0, center=None):
    r"""Gradient descent from one start at several learning rates, one panel each (Lesson 02).

    Each panel's title gives eta, eta lambda_max and the regime
    (:func:`bp_course.linear_neuron.regime`).

    Parameters
    ----------
    x, t : array_like
        Training examples ``(n, 2)`` and targets ``(n,)``.
    w0 : array_like, shape (2,)
        The common starting point.
    etas : sequence of float, or dict
        The learning rates, one panel each; a dict such as Exercise 02.4's
        ``{"creep": ..., "converge": ...}`` is drawn in the order of
        :data:`bp_course.linear_neuron.REGIMES`.
    steps : int
        Gradient-descent steps per path.
    extent, center
        The square of weights shown.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = regime_paths([[1.0, 1.0]], [0.0], [1.5, 0.0], [0.05, 0.5])
    >>> [ax.get_title()[:9] for ax in fig.axes]
    ['$\\eta = 0', '$\\eta = 0']
    """
    x = _check_two_weights(x)
    if etas is Ellipsis:
        raise ValueError("etas is not filled in yet: solve Exercise 02.4 first, then run this cell again")
    if isinstance(etas, dict):
        etas = [etas[name] for name in sorted(etas, key=_regime_order)]
    etas = [positive_number(eta, "learning rate eta") for eta in etas]
    if not etas:
        raise ValueError("etas is empty: give at least one learning rate")
    lam = 2.0 / linear_neuron.stability_bound(x)
    fig, axes = _panels(len(etas), (4.0, 4.0))
    for ax, eta in zip(axes, etas):
        path = linear_neuron.descent_path(w0, x, t, eta, steps, limit=100 * extent)
        error_contours(x, t, paths={f"{len(path) - 1} steps": path}, extent=extent, center=center, ax=ax,
                       colorbar=False, title=rf"$\eta = {eta:.3g}$, $\eta\lambda_{{max}} = {eta * lam:.2f}$"
                                             f"\n{linear_neuron.regime(eta, x)}")
    fig.suptitle(r"Gradient descent $w \leftarrow w - \eta\,\nabla E$ from one start, four learning rates")
    return fig


def activation_curves(names=("logistic", "tanh", "relu"), *, span: float = 6.0):
    r"""Each activation phi next to its derivative phi' (Lesson 03, Eq. 3).

    Parameters
    ----------
    names : sequence of str
        Names from :data:`bp_course.activations.ACTIVATIONS`.
    span : float
        The plot shows net in [-span, span].

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = activation_curves(["logistic"])
    >>> [ax.get_title() for ax in fig.axes]
    ['activation $\\varphi(net)$', "derivative $\\varphi'(net)$"]
    """
    if isinstance(names, str):
        names = [names]
    chosen = [activations.get_activation(name) for name in names]
    span = positive_number(span, "span")
    fig, (left, right) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.4), layout="constrained")
    net = np.linspace(-span, span, 401)
    for i, activation in enumerate(chosen):
        left.plot(net, activation.phi(net), color=_color(i), label=activation.name)
        prime = activation.prime(net)
        if activation.name == "relu":  # draw the jump at 0 as a jump, not a steep line
            prime = np.where(net == 0, np.nan, prime)
        right.plot(net, prime, color=_color(i), label=activation.name)
    for ax, title in ((left, r"activation $\varphi(net)$"), (right, r"derivative $\varphi'(net)$")):
        ax.axhline(0.0, color=COLORS["black"], linewidth=0.5)
        ax.axvline(0.0, color=COLORS["black"], linewidth=0.5)
        ax.set_xlabel("net input $net$")
        ax.set_title(title)
        ax.legend(fontsize="small")
    left.set_ylabel(r"$\varphi(net)$")
    right.set_ylabel(r"$\varphi'(net)$")
    return fig


def error_curves(curves, *, log: bool = False, ax=None, title: str = "Training"):
    r"""Error against training step, one line per run (Lessons 02 and 04).

    Parameters
    ----------
    curves : dict
        ``label -> sequence of E`` values, one per step.
    log : bool
        A logarithmic error axis, for errors that shrink geometrically.
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = error_curves({"eta = 0.5": [0.5, 0.1, 0.02]})
    >>> ax.get_ylabel()
    'error $E$'
    """
    if not curves:
        raise ValueError("curves is empty: give at least one label -> errors")
    lines = {}
    for label, errors in curves.items():
        errors = as_float_array(errors, f"errors of {label!r}").reshape(-1)
        lines[label] = (np.arange(len(errors)), errors)
    return _lines(lines, xlabel="step", ylabel="error $E$", title=title, log=log, ax=ax)


def _lines(lines, *, xlabel, ylabel, title, log, ax, marker="", logx=False, styles=None):
    """Draw ``label -> (x, values)`` in the course's colours, with labels, title and legend."""
    ax = _axes(ax, figsize=(5.5, 3.6))
    for i, (label, (x, values)) in enumerate(lines.items()):
        style = "-" if styles is None else styles[i]
        ax.plot(x, values, marker + style, color=_color(i), label=label, markersize=4)
    if log:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def lines(x, curves, *, xlabel: str, ylabel: str, title: str, log: bool = False, ax=None, marker: str = ""):
    r"""One line per quantity against a shared x (Lesson 08: deltas and training curves side by side).

    Parameters
    ----------
    x : sequence of float
        The shared horizontal values.
    curves : dict
        ``label -> sequence of values``, one value per entry of ``x``.
    xlabel, ylabel, title : str
    log : bool
        A logarithmic value axis.
    ax : matplotlib Axes, optional
    marker : str, optional
        A matplotlib marker drawn at each point (``"o"``); none by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = lines([0, 1, 2], {"y": [0.1, 0.5, 0.9]}, xlabel="step", ylabel="y", title="Output")
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.1, 0.5, 0.9]
    """
    drawn = _against(x, curves, "x", "values", "x values")
    return _lines(drawn, xlabel=xlabel, ylabel=ylabel, title=title, log=log, ax=ax, marker=marker)


def _against(x, curves, x_name, value_name, x_plural):
    """Validate ``label -> values`` against a shared x: ``label -> (x, values)``, or a clear error."""
    x = as_float_array(x, x_name).reshape(-1)
    if not curves:
        raise ValueError(f"curves is empty: give at least one label -> {value_name}")
    drawn = {}
    for label, values in curves.items():
        values = as_float_array(values, f"{value_name} of {label!r}").reshape(-1)
        if values.shape != x.shape:
            raise ValueError(f"{label!r} has {values.size} {value_name} for {x.size} {x_plural}")
        drawn[label] = (x, values)
    return drawn


def growth(x, curves, *, xlabel: str, ylabel: str, title: str, log: bool = True, ax=None):
    r"""How counts grow with a size, one marked line per quantity (Lesson 06: cost against depth).

    :func:`lines` with markers and, by default, a logarithmic value axis, on
    which exponential growth is a straight line.

    Examples
    --------
    >>> ax = growth([1, 2, 3], {"paths": [10, 100, 1000]}, xlabel="depth", ylabel="count", title="Growth")
    >>> ax.get_yscale()
    'log'
    """
    return lines(x, curves, xlabel=xlabel, ylabel=ylabel, title=title, log=log, ax=ax, marker="o")


def step_errors(hs, curves, *, title: str = "Error of difference quotients", ax=None):
    r"""Error of numerical derivatives against the step h, on log-log axes (Lesson 07).

    On these axes, with h growing to the right as on any plot, a truncation
    error proportional to h^p is a straight line of slope p (at the right,
    large h), and round-off, proportional to eps / h, a line of slope -1 (at
    the left, small h): the slopes Lesson 07 reads off are the slopes drawn.
    The minimum of each curve is where the two balance. Curves whose label
    mentions float32 are dashed. Errors of exactly 0 (a lucky cancellation)
    are drawn at 1e-18 so the log axis can show them.

    Parameters
    ----------
    hs : sequence of float
        The steps.
    curves : dict
        ``label -> errors``, one error per step (:func:`bp_course.gradcheck.difference_errors`).
    title : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = step_errors([1e-1, 1e-2], {"central, float64": [1e-3, 1e-5]})
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    """
    drawn = {label: (hs, np.maximum(np.abs(errors), 1e-18))
             for label, (hs, errors) in _against(hs, curves, "steps hs", "errors", "steps").items()}
    styles = ["--" if "float32" in label else "-" for label in drawn]
    ax = _lines(drawn, xlabel="step $h$", ylabel="absolute error", title=title, log=True, logx=True, ax=ax,
                marker="o", styles=styles)
    return ax


def network_diagram(W, *, out=None, delta=None, title: str | None = None, ax=None):
    r"""A layered network with its weights, forward values and backward deltas (Lesson 05).

    Neurons are drawn as circles, layer by layer from left to right, and each
    edge i -> j is labelled with its weight w_ij. Above each neuron stands its
    output o_j (the forward pass, in blue); below it its delta
    delta_j = dE/dnet_j (the backward pass, in vermillion).

    Parameters
    ----------
    W : sequence of array_like
        ``W[l]`` of shape ``(n_l, n_{l+1})``, as in :class:`bp_course.network.Network`.
    out : sequence of array_like, optional
        ``out[l]`` of shape ``(n_l,)`` for every layer (one example).
    delta : sequence of array_like, optional
        ``delta[l]`` of shape ``(n_l,)`` for the layers after the input
        (``len(W)`` arrays) or for every layer.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = network_diagram([[[0.4, -0.3], [0.2, 0.6]], [[0.5], [-0.4]]], out=[[0.5, 1.0], [0.6, 0.61], [0.51]])
    >>> sum(text.get_text().startswith("o = ") for text in ax.texts)
    5
    """
    W = [as_float_array(w, f"W[{l}]") for l, w in enumerate(W)]
    if not W:
        raise ValueError("W is empty: give at least one weight matrix")
    sizes = [W[0].shape[0]] + [w.shape[1] if w.ndim == 2 else -1 for w in W]
    for l, w in enumerate(W):
        if w.ndim != 2 or w.shape[0] != sizes[l]:
            raise ValueError(f"W[{l}] has shape {w.shape}; expected ({sizes[l]}, n) to follow a layer of "
                             f"{sizes[l]} neurons")
    out = _per_layer(out, sizes, "out")
    delta = _per_layer(delta, sizes, "delta")
    ax = _axes(ax, figsize=(min(2.4 * len(sizes) + 1.0, FULL_WIDTH), 1.2 * max(sizes) + 1.6))
    height = max(sizes)
    where = [[(2.0 * l, (n - 1) / 2 - k) for k in range(n)] for l, n in enumerate(sizes)]  # layers centred
    for l, w in enumerate(W):
        for i, (x0, y0) in enumerate(where[l]):
            for j, (x1, y1) in enumerate(where[l + 1]):
                ax.plot([x0, x1], [y0, y1], color=COLORS["black"], linewidth=0.8, zorder=1)
                fraction = 0.3 if i % 2 == 0 else 0.62  # keep labels of crossing edges apart
                ax.text(x0 + fraction * (x1 - x0), y0 + fraction * (y1 - y0), f"{w[i, j]:.3g}", fontsize=8,
                        ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    for l, layer in enumerate(where):
        name = "input" if l == 0 else ("output" if l == len(sizes) - 1 else f"hidden {l}")
        ax.text(layer[0][0], (height - 1) / 2 + 0.6, name, ha="center", va="bottom", fontsize=9)
        for k, (x0, y0) in enumerate(layer):
            ax.add_patch(plt.Circle((x0, y0), 0.22, facecolor=COLORS["sky"], edgecolor=COLORS["black"], zorder=2))
            ax.text(x0, y0, str(k + 1), ha="center", va="center", fontsize=9, zorder=4)
            if out[l] is not None:
                ax.text(x0, y0 + 0.27, f"o = {out[l][k]:.4g}", ha="center", va="bottom", fontsize=8,
                        color=COLORS["blue"], zorder=4)
            if delta[l] is not None:
                ax.text(x0, y0 - 0.27, f"δ = {delta[l][k]:.4g}", ha="center", va="top", fontsize=8,
                        color=COLORS["vermillion"], zorder=4)
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(-(height - 1) / 2 - 0.8, (height - 1) / 2 + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "Forward values o (above) and backward deltas δ (below)")
    return ax


def _per_layer(values, sizes, name):
    if values is None:
        return [None] * len(sizes)
    values = list(values)
    if len(values) == len(sizes) - 1:
        values = [None] + values
    if len(values) != len(sizes):
        raise ValueError(f"{name} should have one array per layer ({len(sizes)}) or per layer after the input "
                         f"({len(sizes) - 1}), got {len(values)}")
    result = []
    for l, (v, n) in enumerate(zip(values, sizes)):
        if v is None:
            result.append(None)
            continue
        v = as_float_array(v, f"{name}[{l}]").reshape(-1)
        if v.shape != (n,):
            raise ValueError(f"{name}[{l}] should hold {n} value(s), one per neuron of layer {l}, got {v.size}")
        result.append(v)
    return result


# -- Lesson 10: per-layer norms through a deep network --------------------------------

__all__ += ["layer_norms", "layer_scales"]

def layer_norms(curves, *, ylabel: str = r"norm of the deltas $\|\delta^{(l)}\|$", title: str = "Per-layer norms",
                predicted=None, ax=None):
    r"""One value per layer against the layer's index, on a log scale (Lesson 10: vanishing and exploding gradients).

    On a logarithmic axis a norm that shrinks or grows by the same factor at
    every layer (Eq. 5 with similar slopes and weights) is a straight line.

    Parameters
    ----------
    curves : dict
        ``label -> values``, one value per layer l = 1..L after the input
        (measured: solid lines with markers).
    ylabel, title : str
    predicted : dict, optional
        ``label -> values`` of the same length, drawn dashed (a prediction to compare with).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = layer_norms({"logistic": [1e-4, 4e-4, 1.6e-3]}, predicted={"1/4 per layer": [1e-4, 4e-4, 1.6e-3]})
    >>> ax.get_yscale(), ax.get_xlabel(), [line.get_linestyle() for line in ax.get_lines()]
    ('log', 'layer $l$', ['-', '--'])
    """
    if not curves:
        raise ValueError("curves is empty: give at least one label -> values per layer")
    predicted = predicted or {}
    drawn = {}
    for label, values in {**curves, **predicted}.items():
        values = as_float_array(values, f"values of {label!r}", allow_nonfinite=True).reshape(-1)
        if values.size == 0:
            raise ValueError(f"{label!r} has no values")
        drawn[label] = (np.arange(1, values.size + 1), np.where(values > 0, values, np.nan))
    if set(curves) & set(predicted):
        raise ValueError(f"labels used twice: {sorted(set(curves) & set(predicted))}")
    styles = ["-"] * len(curves) + ["--"] * len(predicted)
    ax = _lines(drawn, xlabel="layer $l$", ylabel=ylabel, title=title, log=True, ax=ax, marker="o", styles=styles)
    for line, style in zip(ax.get_lines(), styles):
        if style == "--":
            line.set_marker("")
    ax.legend(fontsize="small")  # again, so the legend shows the dashed lines without markers
    ax.xaxis.get_major_locator().set_params(integer=True)
    return ax


def layer_scales(out_std, delta_norm, *, title: str = "Scale of the signals through the layers"):
    r"""Two panels: the spread of each layer's outputs (forward) and the norm of its deltas (backward) (Lesson 10).

    An initialization that keeps the variance per layer draws two flat lines;
    one that is too small or too large draws straight lines down or up.

    Parameters
    ----------
    out_std, delta_norm : dict
        ``label -> values``, one value per layer l = 1..L after the input.
    title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = layer_scales({"He": [1.0, 1.0]}, {"He": [0.1, 0.1]})
    >>> [ax.get_yscale() for ax in fig.axes]
    ['log', 'log']
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.6), layout="constrained")
    layer_norms(out_std, ylabel=r"std of the outputs $o^{(l)}$", title="Forward: outputs", ax=left)
    layer_norms(delta_norm, title="Backward: deltas", ax=right)
    fig.suptitle(title)
    return fig


# -- Lesson 09: training for real ---------------------------------------------------------------------------------

def _square_grid(margin: float, n: int):
    """Points covering the input square [-margin, 1 + margin]^2, as a batch ``(n * n, 2)``, and the axis values."""
    axis = np.linspace(-margin, 1 + margin, n)
    X1, X2 = np.meshgrid(axis, axis)
    return np.column_stack([X1.ravel(), X2.ravel()]), axis


def _square_panel(ax, values, axis, x, t, title):
    """One map of values in [0, 1] over the input square, its 0.5 contour, and the training cases on top."""
    image = ax.contourf(axis, axis, values, levels=np.linspace(0.0, 1.0, 11), cmap=_CMAP)
    ax.set_aspect("equal")
    if values.min() < 0.5 < values.max():
        ax.contour(axis, axis, values, levels=[0.5], colors="white", linewidths=1.2)
    for target, marker, color in ((0.0, "o", "blue"), (1.0, "^", "orange")):
        where = t[:, 0] == target
        ax.scatter(x[where, 0], x[where, 1], marker=marker, s=60, color=COLORS[color], edgecolors="white",
                   linewidths=1.2, zorder=3, label=f"$t = {target:g}$")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title, fontsize="medium")
    return image


def _one_hidden_layer(net, x, t):
    x = as_float_array(x, "inputs x")
    t = as_float_array(t, "targets t").reshape(len(x), -1)
    if len(net.W) != 2 or net.sizes[0] != 2 or net.sizes[-1] != 1:
        raise ValueError(f"this picture needs a network with 2 inputs, one hidden layer and 1 output, "
                         f"got sizes {net.sizes}")
    return x, t


def xor_regions(net, x, t, *, margin: float = 0.25, resolution: int = 61):
    r"""The output and every hidden neuron's output over the input square (Lesson 09).

    Values are drawn in ten bands of 0.1. The first panel is the network's output y(x1, x2) with its decision
    boundary y = 1/2 (white); each further panel is one hidden neuron's
    output o_j(x1, x2), whose 0.5 contour is the straight line
    w_1j x1 + w_2j x2 + b_j = 0. The training cases are marked by target.

    Parameters
    ----------
    net : bp_course.network.Network
        Two inputs, one hidden layer, one output.
    x, t : array_like
        The training cases ``(n, 2)`` and their 0/1 targets ``(n, 1)``.
    margin : float
        How far the picture extends beyond [0, 1] on each side.
    resolution : int
        Grid points per side.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from bp_course import datasets
    >>> from bp_course.network import Network
    >>> fig = xor_regions(Network([2, 2, 1], seed=0), *datasets.xor())
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['output $y$', 'hidden neuron 1', 'hidden neuron 2']
    """
    x, t = _one_hidden_layer(net, x, t)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an integer of at least 2, got {resolution!r}")
    grid, axis = _square_grid(positive_number(margin, "margin"), int(resolution))
    forward = net.forward(grid)
    panels = [("output $y$", forward.y[:, 0])]
    panels += [(f"hidden neuron {j + 1}", forward.out[1][:, j]) for j in range(net.sizes[1])]
    fig, axes = _panels(len(panels), (2.05, 2.6))
    for ax, (title, values) in zip(axes, panels):
        image = _square_panel(ax, values.reshape(len(axis), len(axis)), axis, x, t, title)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize="small")
    _colorbar(axes[-1], image, label="output")
    fig.suptitle(f"What a {'-'.join(map(str, net.sizes))} network computes over the input square")
    return fig


def hidden_space(net, x, t):
    r"""The training cases as the output neuron sees them: at their hidden outputs (o_1, o_2) (Lesson 09).

    For a network with two hidden neurons, each case is drawn at the point
    (o_1, o_2) of its hidden outputs, with the output neuron's decision line
    w_1 o_1 + w_2 o_2 + b = 0: the hidden layer has moved the cases so that
    one straight line separates them.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from bp_course import datasets
    >>> from bp_course.network import Network
    >>> ax = hidden_space(Network([2, 2, 1], seed=0), *datasets.xor())
    >>> ax.get_xlabel()
    'hidden output $o_1$'
    """
    x, t = _one_hidden_layer(net, x, t)
    if net.sizes[1] != 2:
        raise ValueError(f"hidden_space draws two hidden outputs; this network has {net.sizes[1]}")
    out = net.forward(x).out[1]
    ax = _axes(None, figsize=(3.6, 3.4))
    w, b = net.W[1][:, 0], float(net.b[1][0])
    o1 = np.linspace(-0.05, 1.05, 2)
    if abs(w[1]) > 1e-12:
        ax.plot(o1, -(b + w[0] * o1) / w[1], color=COLORS["black"], linewidth=1, label="output's line $y = 1/2$")
    for target, marker, color in ((0.0, "o", "blue"), (1.0, "^", "orange")):
        where = t[:, 0] == target
        ax.scatter(out[where, 0], out[where, 1], marker=marker, s=60, color=COLORS[color], label=f"$t = {target:g}$")
    for k, ((x1, x2), (o_1, o_2)) in enumerate(zip(x, out)):  # alternate above and below: cases may coincide
        ax.annotate(f"({x1:g}, {x2:g})", (o_1, o_2), textcoords="offset points", xytext=(5, 5 if k % 2 == 0 else -12),
                    fontsize="small")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xlabel("hidden output $o_1$")
    ax.set_ylabel("hidden output $o_2$")
    ax.set_title("The cases in hidden space")
    ax.legend(fontsize="small", loc="center")
    return ax


def stuck_fractions(widths, fractions, *, runs: int, ax=None):
    r"""The share of training runs that got stuck, per hidden width, as bars (Lesson 09).

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths.
    fractions : sequence of float
        Share of runs stuck at each width, in [0, 1].
    runs : int
        Runs per width (shown in the title).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = stuck_fractions([1, 2, 3], [1.0, 0.2, 0.0], runs=100)
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [1.0, 0.2, 0.0]
    """
    widths = as_float_array(widths, "widths").reshape(-1)
    fractions = as_float_array(fractions, "fractions").reshape(-1)
    if widths.shape != fractions.shape:
        raise ValueError(f"{widths.size} widths but {fractions.size} fractions")
    ax = _axes(ax, figsize=(4.4, 3.0))
    bars = ax.bar(widths, fractions, color=COLORS["blue"], width=0.6)
    ax.bar_label(bars, labels=[f"{f:.0%}" for f in fractions], fontsize="small")
    ax.set_ylim(0, 1.12)
    ax.set_xticks(widths)
    ax.set_xlabel("hidden neurons")
    ax.set_ylabel("share of runs stuck")
    ax.set_title(f"XOR: runs stuck, out of {runs} seeds per width")
    return ax


def learning_curves(history, *, title: str = "Learning curves"):
    r"""Training and test error and accuracy per epoch, side by side (Lesson 09).

    Parameters
    ----------
    history : bp_course.training.History
    title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(epoch=np.arange(3), E_train=[1.0, 0.5, 0.3], E_test=[1.0, 0.6, 0.4],
    ...                     accuracy_train=[0.1, 0.8, 0.9], accuracy_test=[0.1, 0.7, 0.85])
    >>> [ax.get_ylabel() for ax in learning_curves(h).axes]
    ['error $E$', 'accuracy']
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.3), layout="constrained")
    lines(history.epoch, {"training": history.E_train, "test": history.E_test}, xlabel="epoch",
          ylabel="error $E$", title="Error", log=True, ax=left)
    lines(history.epoch, {"training": history.accuracy_train, "test": history.accuracy_test}, xlabel="epoch",
          ylabel="accuracy", title="Accuracy", ax=right)
    right.set_ylim(top=1.0)
    fig.suptitle(title)
    return fig


def digit_images(images, titles, *, columns: int = 6):
    r"""Handwritten digits as 8x8 images with a title each, in one mosaic (Lesson 09).

    The images are laid out on one grid with a gap between them (one
    axes, so a dozen digits draw as fast as one), each with its title above it.

    Parameters
    ----------
    images : array_like, shape (m, 64)
        One image per row, pixels row by row (as :func:`bp_course.datasets.digits` gives them).
    titles : sequence of str
        One title per image ("predicted 3, true 5"), drawn one comma-separated part per line.
    columns : int
        Images per row.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = digit_images(np.zeros((2, 64)), ["a", "b"])
    >>> [text.get_text() for text in ax.texts]
    ['a', 'b']
    """
    images = as_float_array(images, "images")
    if images.ndim != 2 or images.shape[1] != 64 or len(images) == 0:
        raise ValueError(f"images must be (m, 64), one 8x8 digit per row, at least one; got shape {images.shape}")
    titles = list(titles)
    if len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
        raise ValueError(f"columns must be a positive integer, got {columns!r}")
    columns = min(int(columns), len(images))
    rows = -(-len(images) // columns)
    cell_w, cell_h = 8 + 2, 8 + 5                     # pixels per image, with room between and for the title
    mosaic = np.full((rows * cell_h, columns * cell_w), np.nan)
    ax = _axes(None, figsize=(min(1.45 * columns, FULL_WIDTH), 1.5 * rows))
    for k, (image, title) in enumerate(zip(images, titles)):
        top, left = (k // columns) * cell_h + 4, (k % columns) * cell_w + 1
        mosaic[top:top + 8, left:left + 8] = image.reshape(8, 8)
        # one line per comma-separated part ("predicted 3,\ntrue 5"), so titles at a legible size fit their image
        ax.text(left + 3.5, top - 1.0, str(title).replace(", ", ",\n"), ha="center", va="bottom", fontsize="small",
                linespacing=1.0)
    ax.imshow(mosaic, cmap="gray_r", interpolation="nearest", vmin=0.0, vmax=max(1.0, float(images.max())))
    ax.axis("off")
    return ax


def confusion_matrix(matrix, *, title: str = "Confusion matrix (test set)"):
    r"""A confusion matrix as an image, with the count in every cell (Lesson 09).

    Parameters
    ----------
    matrix : array_like, shape (K, K)
        ``matrix[i, j]`` counts the examples of true class i predicted as j
        (:func:`bp_course.metrics.confusion_matrix`).
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = confusion_matrix([[5, 1], [0, 4]])
    >>> [text.get_text() for text in ax.texts]
    ['5', '1', '4']
    """
    matrix = as_float_array(matrix, "matrix")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {matrix.shape}")
    K = len(matrix)
    side = min(0.42 * K, FULL_WIDTH - 1.8)
    ax = _axes(None, figsize=(side + 1.8, side + 1.3))
    image = ax.imshow(np.log1p(matrix), cmap=_CMAP)
    high = np.log1p(matrix).max() / 2
    for i, j in zip(*np.nonzero(matrix)):  # empty cells stay blank
        count = matrix[i, j]
        ax.text(j, i, f"{count:g}", ha="center", va="center", fontsize="small",
                color="black" if np.log1p(count) > high else "white")
    ax.set_xticks(range(K))
    ax.set_yticks(range(K))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    _colorbar(ax, image, label="log(1 + count)")
    return ax


# -- Lesson 12 ------------------------------------------------------------------------------------------------------

def timeline(events, *, title: str = "Backpropagation: who did what", ax=None):
    r"""Contributions on a time axis, one labelled marker each (Lesson 12: the history of backpropagation).

    Parameters
    ----------
    events : sequence
        Objects with ``year`` (int) and ``who`` (str), such as
        :data:`bp_course.history.EVENTS`; drawn in the order of their years,
        labels alternating above and below the axis so neighbours do not overlap.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from bp_course.history import EVENTS
    >>> ax = timeline(EVENTS)
    >>> ax.texts[0].get_text()
    '1960\nHenry J. Kelley'
    """
    events = sorted(events, key=lambda e: e.year)
    if not events:
        raise ValueError("events is empty: give at least one event with a year and a who")
    ax = _axes(ax, figsize=(FULL_WIDTH, 3.4))
    years = [e.year for e in events]
    ax.axhline(0.0, color=COLORS["black"], linewidth=1.0)
    for i, event in enumerate(events):
        side = 1.0 if i % 2 == 0 else -1.0
        height = side * (0.35 + 0.7 * ((i // 2) % 2))
        ax.plot([event.year, event.year], [0.0, height], color=_color(0), linewidth=0.8, zorder=1)
        ax.plot(event.year, 0.0, "o", color=_color(1), markersize=6, zorder=2)
        who = event.who.replace(", ", ",\n")
        # an opaque label: a taller neighbour's stem passes behind it, not through its words
        ax.text(event.year, height, f"{event.year}\n{who}", ha="center", va="bottom" if side > 0 else "top",
                fontsize="small", zorder=3, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    ax.set_xlim(min(years) - 4, max(years) + 4)
    ax.set_ylim(-2.0, 2.2)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("year")
    ax.set_title(title)
    return ax


# -- Lesson 11: better descent ------------------------------------------------------------

def paths_side_by_side(x, t, panels, *, extent: float = 2.0, center=None, title: str | None = None):
    r"""Descent paths on the error contours, one panel per method, side by side (Lesson 11).

    Parameters
    ----------
    x, t : array_like
        Training examples ``(n, 2)`` and targets ``(n,)`` of the linear neuron.
    panels : dict
        ``panel title -> {label: path}``, each path an array ``(m, 2)`` of iterates.
    extent, center
        The square of weights shown, as in :func:`error_contours`.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = paths_side_by_side([[1.0, 1.0]], [0.0], {"plain": {"a": [[1.0, 0.0], [0.5, -0.5]]}, "momentum": {}})
    >>> [ax.get_title() for ax in fig.axes]
    ['plain', 'momentum']
    """
    x = _check_two_weights(x)
    if not panels:
        raise ValueError("panels is empty: give at least one title -> {label: path}")
    fig, axes = _panels(len(panels), (4.05, 3.9))
    for ax, (name, paths) in zip(axes, panels.items()):
        paths_panel(x, t, paths, extent=extent, center=center, ax=ax, title=name)
    if title:
        fig.suptitle(title)
    return fig


def paths_panel(x, t, paths, *, extent: float = 2.0, center=None, ax=None, title: str | None = None):
    r"""Descent paths on the error contours without a colour bar; points of a diverging path far outside are left out.

    One panel of :func:`paths_side_by_side` (Lesson 11), also used by
    :func:`bp_course.widgets.momentum_explorer`.

    Parameters
    ----------
    x, t : array_like
        Training examples ``(n, 2)`` and targets ``(n,)`` of the linear neuron.
    paths : dict
        ``label -> path``, each an array ``(m, 2)`` of iterates.
    extent, center, ax, title
        As in :func:`error_contours`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = paths_panel([[1.0, 1.0]], [0.0], {"far": [[1.0, 0.0], [500.0, 0.0]]})
    >>> ax.get_lines()[0].get_xdata().tolist()
    [1.0]
    """
    shown = {}
    for label, path in paths.items():
        path = as_float_array(path, f"path {label!r}")
        shown[label] = path[np.all(np.abs(path) < 50 * extent, axis=1)]  # a diverging path leaves the panel
    return error_contours(x, t, paths=shown, extent=extent, center=center, ax=ax, colorbar=False, title=title)


def learning_rate_sensitivity(etas, accuracies, *, ylabel: str = "accuracy", title: str = "Accuracy against the "
                              "learning rate", ax=None):
    r"""Accuracy against the learning rate, one marked line per optimizer, on a logarithmic eta axis (Lesson 11).

    Parameters
    ----------
    etas : sequence of float
        The learning rates swept, shared by every optimizer.
    accuracies : dict
        ``optimizer name -> accuracies``, one per learning rate.
    ylabel, title : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = learning_rate_sensitivity([0.01, 0.1, 1.0], {"sgd": [0.5, 0.9, 0.8]})
    >>> ax.get_xscale(), ax.get_lines()[0].get_ydata().tolist()
    ('log', [0.5, 0.9, 0.8])
    """
    drawn = _against(etas, accuracies, "learning rates etas", "accuracies", "learning rates")
    if np.any(drawn[next(iter(drawn))][0] <= 0):
        raise ValueError("learning rates must be positive for a logarithmic axis")
    return _lines(drawn, xlabel=r"learning rate $\eta$", ylabel=ylabel, title=title, log=False, ax=ax, marker="o",
                  logx=True)

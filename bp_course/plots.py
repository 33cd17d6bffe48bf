r"""The course's figures, drawn once here and called from the notebooks.

Every function takes what it draws as arguments (no globals), draws with the
colour-blind-safe Okabe-Ito palette, titles its figure and labels its axes
with the lesson's symbols, and returns the matplotlib object it drew on, so
a notebook cell reads ``_ = plots.error_parabola(t=0.0)``. Nothing here
changes matplotlib's global settings.

Lessons 01-02 use :func:`error_parabola`, :func:`error_bowl`,
:func:`error_contours` and :func:`regime_paths`; Lesson 03
:func:`activation_curves`; Lesson 04 :func:`error_curves`; Lesson 05 and
later :func:`network_diagram`; Lesson 06 :func:`growth`; Lesson 07
:func:`step_errors`; Lesson 08 :func:`lines`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from bp_course import activations, linear_neuron
from bp_course._validate import as_float_array, positive_number

__all__ = ["COLORS", "CYCLE", "error_parabola", "error_bowl", "error_contours", "regime_paths",
           "activation_curves", "error_curves", "lines", "growth", "step_errors", "network_diagram",
           "paths_side_by_side", "learning_rate_sensitivity"]

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


def _color(i: int) -> str:
    return COLORS[CYCLE[i % len(CYCLE)]]


def _axes(ax, **figure):
    if ax is None:
        _, ax = plt.subplots(layout="constrained", **figure)
    return ax


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
    ax.set_ylim(-0.1 * span ** 2 / 2, 1.05 * span ** 2 / 2)
    ax.set_xlabel("output $y$")
    ax.set_ylabel("error $E$")
    ax.set_title(f"The error of one output, target $t = {t:g}$")
    ax.axhline(0.0, color=COLORS["black"], linewidth=0.5)
    ax.legend(loc="upper center", fontsize="small")
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
        ax.figure.colorbar(filled, ax=ax, label="error $E$", format="%.2g")
    for i, (label, path) in enumerate((paths or {}).items()):
        path = as_float_array(path, f"path {label!r}")
        ax.plot(path[:, 0], path[:, 1], "o-", color=_color(i + 1), markersize=3, linewidth=1.2, label=label)
        ax.plot(path[:1, 0], path[:1, 1], "s", color=_color(i + 1), markersize=6)
    if w is not None:
        w = as_float_array(w, "weights w").reshape(2)
        E_w = float(linear_neuron.error(w, x, t))
        ax.plot([w[0]], [w[1]], "o", color=COLORS["vermillion"], markeredgecolor="white", markersize=9,
                label=f"$w = ({w[0]:.2f}, {w[1]:.2f})$, $E = {E_w:.3f}$")
    if paths or w is not None:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    lo1, hi1 = W1[0, 0], W1[0, -1]
    lo2, hi2 = W2[0, 0], W2[-1, 0]
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
    >>> len(fig.axes)  # surface, contours and the colour bar
    3
    """
    x = _check_two_weights(x)
    extent = positive_number(extent, "extent")
    fig = plt.figure(figsize=(10, 4.2), layout="constrained")
    surface = fig.add_subplot(1, 2, 1, projection="3d")
    W1, W2, E = _grid(x, t, extent, center, 61)
    surface.plot_surface(W1, W2, E, cmap=_CMAP, linewidth=0, antialiased=False)  # a third of the PNG size
    if w is not None:
        w = as_float_array(w, "weights w").reshape(2)
        surface.scatter([w[0]], [w[1]], [float(linear_neuron.error(w, x, t))], color=COLORS["vermillion"], s=40,
                        depthshade=False)
    surface.set_xlabel("$w_1$")
    surface.set_ylabel("$w_2$")
    surface.set_zlabel("$E$")
    surface.set_title("Surface")
    surface.view_init(elev=28, azim=-60)
    error_contours(x, t, w=w, extent=extent, center=center, ax=fig.add_subplot(1, 2, 2), title="Contours")
    fig.suptitle(title or "The error of the linear neuron over its two weights")
    return fig


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
    etas : sequence of float
        The learning rates, one panel each.
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
    >>> [ax.get_title()[:9] for ax in fig.axes if ax.get_label() != "<colorbar>"]
    ['$\\eta = 0', '$\\eta = 0']
    """
    x = _check_two_weights(x)
    etas = [positive_number(eta, "learning rate eta") for eta in etas]
    if not etas:
        raise ValueError("etas is empty: give at least one learning rate")
    lam = 2.0 / linear_neuron.stability_bound(x)
    fig, axes = plt.subplots(1, len(etas), figsize=(3.3 * len(etas), 3.8), layout="constrained", squeeze=False)
    for ax, eta in zip(axes[0], etas):
        path = linear_neuron.descent_path(w0, x, t, eta, steps, limit=100 * extent)
        error_contours(x, t, paths={f"{len(path) - 1} steps": path}, extent=extent, center=center, ax=ax,
                       colorbar=False, title=rf"$\eta = {eta:g}$, $\eta\lambda_{{max}} = {eta * lam:.2f}$"
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
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
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
    ax = _axes(ax, figsize=(2.4 * len(sizes) + 1.0, 1.2 * max(sizes) + 1.6))
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
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.2), layout="constrained", squeeze=False)
    for ax, (name, paths) in zip(axes[0], panels.items()):
        shown = {}
        for label, path in paths.items():
            path = as_float_array(path, f"path {label!r}")
            shown[label] = path[np.all(np.abs(path) < 50 * extent, axis=1)]  # a diverging path leaves the panel
        error_contours(x, t, paths=shown, extent=extent, center=center, ax=ax, colorbar=False, title=name)
    if title:
        fig.suptitle(title)
    return fig


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

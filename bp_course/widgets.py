r"""Slider explorers for the lessons, built on :class:`ipywidgets.interactive`.

Each explorer is a pure function that computes the state a slider setting
stands for (``parabola_point``, ``bowl_point``, ``descent_run``,
``activation_point``) and an ``interactive`` that calls it and draws it with
:mod:`bp_course.plots`. The explorer's ``.result`` is the computed state, so
a test (or a curious learner) can set the sliders and read back exactly what
the figure shows::

    explorer = bowl_explorer(x, t)
    controls(explorer)["w1"].value = 0.5
    explorer.result.E
    explorer.figure()          # the figure the learner sees for this setting

Sliders whose callback runs gradient descent have ``continuous_update=False``:
the path is recomputed when the slider is released, not at every pixel.

Every explorer is an :class:`Explorer`: its figure is not drawn inside the
widget but as an ordinary output of the cell, below the sliders, replaced in
place (a display handle) when a slider moves. Widgets live in the kernel:
once the notebook is closed, JupyterLab shows "Error displaying widget:
model not found" where the sliders were (unless widget state is saved), but
the figure of the last setting is a plain image that is saved with the
notebook and shown when it is reopened. Running the cell again brings the
sliders back. All sliders of an explorer share one description width and one
length (:func:`slider`), so their tracks line up.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import display

from bp_course import activations, linear_neuron, optimizers, plots
from bp_course._validate import as_float_array

__all__ = ["ParabolaPoint", "BowlPoint", "DescentRun", "ActivationPoint", "parabola_point", "bowl_point",
           "descent_run", "activation_point", "parabola_explorer", "bowl_explorer", "descent_explorer",
           "activation_explorer", "controls", "MomentumRun", "momentum_run", "momentum_explorer", "Explorer",
           "slider", "DESCRIPTION_WIDTH", "SLIDER_WIDTH"]

DESCRIPTION_WIDTH = "9em"
"""The width of every control's description ("learning rate η"), so the slider tracks start in one column."""

SLIDER_WIDTH = "34em"
"""The length of every control, description and readout included, so the tracks also end in one column."""


def controls(explorer) -> dict:
    """The explorer's input widgets by argument name (``{"w1": FloatSlider, ...}``)."""
    return {widget._kwarg: widget for widget in explorer.kwargs_widgets}


def slider(kind, **options):
    """A control of class ``kind`` (``ipywidgets.FloatSlider``, ``Dropdown`` ...) in the explorers' common layout.

    Examples
    --------
    >>> s = slider(ipywidgets.FloatSlider, description="output y")
    >>> s.style.description_width, s.layout.width
    ('9em', '34em')
    """
    return kind(style={"description_width": DESCRIPTION_WIDTH}, layout=ipywidgets.Layout(width=SLIDER_WIDTH),
                **options)


class Explorer(ipywidgets.interactive):
    """Sliders that compute a state, and a figure of that state shown as a plain output of the cell.

    Parameters
    ----------
    compute : callable
        ``compute(**slider values) -> state``; the state is ``.result``.
    draw : callable or None
        ``draw(state) -> matplotlib Figure``; ``None`` draws nothing (for tests).
    **controls
        The sliders, by the argument names of ``compute``.

    Notes
    -----
    ``ipywidgets.interactive`` draws inside its ``Output`` widget, which
    lives only as long as the kernel. Here the figure is displayed after the
    widget, with a display id, and each slider move replaces it in place
    (``update_display_data``), outside the ``Output`` widget: JupyterLab's
    ``Output`` widget takes every message sent while it captures and keeps
    only new outputs, so an update sent from inside it would be lost. The
    last figure is then an ordinary image output, which the notebook saves.
    """

    def __init__(self, compute, draw, **controls):
        self._draw = draw
        self._handles = []
        super().__init__(compute, clear_output=False, **controls)

    def figure(self):
        """The figure of the current setting (a new matplotlib Figure; close it when done)."""
        if self._draw is None:
            raise ValueError("this explorer was made with draw=False: it computes its state but draws nothing")
        return self._draw(self.result)

    def update(self, *args):
        """Recompute the state, then replace every displayed figure by the new one."""
        super().update(*args)
        if self._handles:
            self._publish(lambda fig: [handle.update(fig) for handle in self._handles])

    def _publish(self, send) -> None:
        try:
            fig = self.figure()
        except Exception:  # shown where interactive shows errors of the computation: in its output area
            if get_ipython() is None:
                raise
            with self.out:
                get_ipython().showtraceback()
            return
        send(fig)
        plt.close(fig)  # pyplot would otherwise show it a second time and keep it open

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = "[sliders: run this cell to bring them back]"  # what a viewer without widgets shows
        return data

    def _ipython_display_(self):
        display(self._repr_mimebundle_(), raw=True)
        if self._draw is not None:
            self._publish(lambda fig: self._handles.append(display(fig, display_id=True)))


# -- Lesson 01: the parabola E(y) -----------------------------------------------------

@dataclass(frozen=True)
class ParabolaPoint:
    """A point on the parabola E = 1/2 (t - y)^2 and its slope dE/dy = y - t (Lesson 01)."""

    y: float
    t: float
    E: float
    dE_dy: float


def parabola_point(y: float, t: float) -> ParabolaPoint:
    """The error and its slope at output ``y`` for target ``t``.

    Examples
    --------
    >>> parabola_point(0.6, 0.0)
    ParabolaPoint(y=0.6, t=0.0, E=0.18, dE_dy=0.6)
    """
    y, t = float(as_float_array(y, "output y")), float(as_float_array(t, "target t"))
    return ParabolaPoint(y=y, t=t, E=round(0.5 * (t - y) ** 2, 12), dE_dy=round(y - t, 12))


def parabola_explorer(t: float = 0.0, *, draw: bool = True):
    """A slider for the output y on the parabola E(y) of Lesson 01, with the tangent at y.

    Examples
    --------
    >>> explorer = parabola_explorer(t=0.0, draw=False)
    >>> controls(explorer)["y"].value = -1.0
    >>> explorer.result.E
    0.5
    """
    t = float(as_float_array(t, "target t"))

    def compute(y):
        return parabola_point(y, t)

    def figure(point):
        return plots.error_parabola(t=t, y=point.y, span=2.0, tangent=True).figure

    y = slider(ipywidgets.FloatSlider, value=t + 1.2, min=t - 2.0, max=t + 2.0, step=0.05, description="output y",
               readout_format=".2f")
    return Explorer(compute, figure if draw else None, y=y)


# -- Lesson 01: the bowl E(w1, w2) ----------------------------------------------------

@dataclass(frozen=True)
class BowlPoint:
    """The linear neuron at weights ``w``: outputs, error and gradient (Lessons 01-02)."""

    w: tuple
    y: tuple
    E: float
    gradient: tuple


def bowl_point(w1: float, w2: float, x, t) -> BowlPoint:
    """The outputs y = w . x of each example, E(w) and dE/dw at (w1, w2).

    Examples
    --------
    >>> bowl_point(0.5, 0.25, [[1.0, 1.0]], [0.0])
    BowlPoint(w=(0.5, 0.25), y=(0.75,), E=0.28125, gradient=(0.75, 0.75))
    """
    w = np.array([w1, w2], dtype=np.float64)
    x = as_float_array(x, "inputs x")
    y = x @ w
    return BowlPoint(w=tuple(w.tolist()), y=tuple(y.round(12).tolist()),
                     E=round(float(linear_neuron.error(w, x, t)), 12),
                     gradient=tuple(linear_neuron.gradient(w, x, t).round(12).tolist()))


def bowl_explorer(x, t, *, extent: float = 2.0, draw: bool = True):
    """Sliders for w1 and w2 on the error surface and its contours (Lesson 01).

    Examples
    --------
    >>> explorer = bowl_explorer([[1.0, 1.0]], [0.0], draw=False)
    >>> controls(explorer)["w1"].value, controls(explorer)["w2"].value = 1.0, -1.0
    >>> explorer.result.E
    0.0
    """
    x = as_float_array(x, "inputs x")

    def compute(w1, w2):
        return bowl_point(w1, w2, x, t)

    def figure(point):
        return plots.error_bowl(x, t, w=point.w, extent=extent)

    def weight(name, value):
        return slider(ipywidgets.FloatSlider, value=value, min=-extent, max=extent, step=0.05,
                      description=f"weight {name}", readout_format=".2f")

    return Explorer(compute, figure if draw else None, w1=weight("w1", 1.0), w2=weight("w2", 0.5))


# -- Lesson 02: gradient descent at a chosen learning rate ----------------------------

@dataclass(frozen=True)
class DescentRun:
    """A gradient-descent run of the linear neuron (Lesson 02).

    Attributes
    ----------
    eta : float
        The learning rate.
    path : ndarray, shape (m + 1, 2)
        The start and each iterate (a diverging run stops early).
    errors : ndarray, shape (m + 1,)
        E at each point of the path.
    regime : str
        ``"creep"``, ``"converge"``, ``"oscillate"`` or ``"diverge"``.
    eta_max : float
        The stability bound 2 / lambda_max.
    """

    eta: float
    path: np.ndarray
    errors: np.ndarray
    regime: str
    eta_max: float


def descent_run(x, t, eta: float, w1: float, w2: float, steps: int) -> DescentRun:
    """Run gradient descent from (w1, w2) and classify the learning rate.

    Examples
    --------
    >>> run = descent_run([[1.0, 1.0]], [0.0], eta=0.25, w1=1.0, w2=0.0, steps=2)
    >>> run.path.tolist(), run.regime, run.eta_max
    ([[1.0, 0.0], [0.75, -0.25], [0.625, -0.375]], 'converge', 1.0)
    """
    path = linear_neuron.descent_path([w1, w2], x, t, eta, steps)
    return DescentRun(eta=float(eta), path=path, errors=linear_neuron.error(path, x, t),
                      regime=linear_neuron.regime(eta, x), eta_max=linear_neuron.stability_bound(x))


def _draw_run(run: DescentRun, x, t, extent: float):
    fig, (left, right) = plt.subplots(1, 2, figsize=(plots.FULL_WIDTH, 3.9), layout="constrained")
    # no colour bar: the panel on the right already gives E, and one label "error E" is enough
    plots.paths_panel(x, t, {f"{len(run.path) - 1} steps": run.path}, extent=extent, ax=left,
                      title=rf"$\eta = {run.eta:.3g}$ ($\eta_{{max}} = {run.eta_max:.3g}$): {run.regime}")
    plots.error_curves({rf"$\eta = {run.eta:.3g}$": np.maximum(run.errors, 1e-300)}, log=True, ax=right,
                       title="Error along the path")
    return fig


def descent_explorer(x, t, *, extent: float = 2.0, draw: bool = True):
    """Pick eta and a starting point; watch the gradient-descent path (Lesson 02).

    The learning-rate slider is logarithmic and reaches past the stability
    bound, so all four regimes are a drag away.

    Examples
    --------
    >>> explorer = descent_explorer([[1.0, 1.0]], [0.0], draw=False)
    >>> controls(explorer)["eta"].value = 1.5
    >>> explorer.result.regime
    'diverge'
    """
    x = as_float_array(x, "inputs x")
    eta_max = linear_neuron.stability_bound(x)

    def compute(eta, w1, w2, steps):
        return descent_run(x, t, eta, w1, w2, steps)

    def figure(run):
        return _draw_run(run, x, t, extent)

    eta = slider(ipywidgets.FloatLogSlider, value=0.3 * eta_max, base=10, min=np.log10(eta_max) - 2.5,
                 max=np.log10(eta_max) + 0.3, step=0.05, description="learning rate η", readout_format=".3g",
                 continuous_update=False)
    start = {name: slider(ipywidgets.FloatSlider, value=value, min=-extent, max=extent, step=0.05,
                          description=f"start {name}", readout_format=".2f", continuous_update=False)
             for name, value in (("w1", -0.5), ("w2", -0.5))}  # Lesson 02's w0: both eigen-directions excited
    steps = slider(ipywidgets.IntSlider, value=20, min=1, max=100, description="steps", continuous_update=False)
    return Explorer(compute, figure if draw else None, eta=eta, w1=start["w1"], w2=start["w2"], steps=steps)


# -- Lesson 03: an activation and its slope -------------------------------------------

@dataclass(frozen=True)
class ActivationPoint:
    """phi(net) and its slope phi'(net) for one activation (Lesson 03, Eq. 3)."""

    name: str
    net: float
    out: float
    slope: float


def activation_point(name: str, net: float) -> ActivationPoint:
    """The output and slope of the named activation at ``net``.

    Examples
    --------
    >>> activation_point("logistic", 0.0)
    ActivationPoint(name='logistic', net=0.0, out=0.5, slope=0.25)
    """
    activation = activations.get_activation(name)
    net = float(as_float_array(net, "net"))
    return ActivationPoint(name=activation.name, net=net, out=round(float(activation.phi(net)), 12),
                           slope=round(float(activation.prime(net)), 12))


def _draw_activation(point: ActivationPoint, span: float = 6.0):
    activation = activations.get_activation(point.name)
    fig, ax = plt.subplots(figsize=(6, 3.8), layout="constrained")
    net = np.linspace(-span, span, 401)
    phi = activation.phi(net)
    ax.plot(net, phi, color=plots.COLORS["blue"], label=rf"$\varphi$ = {point.name}")
    margin = 0.15 * float(phi.max() - phi.min())  # the axes stay put while net moves; the tangent is clipped
    ax.set_xlim(-span, span)
    ax.set_ylim(float(phi.min()) - margin, float(phi.max()) + margin)
    tangent = np.array([point.net - 1.5, point.net + 1.5])
    ax.plot(tangent, point.out + point.slope * (tangent - point.net), "--", color=plots.COLORS["vermillion"],
            label=rf"tangent, slope $\varphi'({point.net:.2f}) = {point.slope:.3f}$")
    ax.plot([point.net], [point.out], "o", color=plots.COLORS["vermillion"])
    ax.set_xlabel("net input $net$")
    ax.set_ylabel(r"$\varphi(net)$")
    ax.set_title(f"The slope of {point.name} at net = {point.net:.2f}")
    ax.legend(fontsize="small", loc="upper left")
    return fig


def activation_explorer(*, draw: bool = True):
    """Choose an activation and slide net along it; the tangent shows phi'(net) (Lesson 03).

    Examples
    --------
    >>> explorer = activation_explorer(draw=False)
    >>> controls(explorer)["net"].value = 0.0
    >>> explorer.result.slope
    0.25
    """

    name = slider(ipywidgets.Dropdown, options=["logistic", "tanh", "relu"], value="logistic", description="activation")
    net = slider(ipywidgets.FloatSlider, value=2.0, min=-5.0, max=5.0, step=0.1, description="net",
                 readout_format=".1f")
    return Explorer(activation_point, _draw_activation if draw else None, name=name, net=net)


# -- Lesson 10: gradients through depth ------------------------------------------------

__all__ += ["GradientProfile", "gradient_profile", "depth_scale_explorer"]

_MAX_SLOPE = {"logistic": 0.25, "tanh": 1.0, "relu": 1.0, "identity": 1.0}


@dataclass(frozen=True)
class GradientProfile:
    """The deltas of a deep network at one depth and weight scale (Lesson 10).

    Attributes
    ----------
    depth, scale, activation
        The settings: weight layers, weight scale (std times sqrt(n_in)), activation of every layer.
    delta_norm : ndarray, shape (depth,)
        ``||delta[l]||`` for the layers l = 1..depth, over the whole batch.
    ratio : float
        The geometric mean of ``delta_norm[l] / delta_norm[l + 1]``: the factor per layer down the network
        (nan for one layer).
    bound : float
        scale times the largest slope of the activation: Eq. 5's factor per layer when every unit
        sits at its steepest point (1/4 for the logistic).
    """

    depth: int
    scale: float
    activation: str
    delta_norm: np.ndarray
    ratio: float
    bound: float


def gradient_profile(depth: int, scale: float, activation: str = "logistic", *, width: int = 30,
                     examples: int = 100, seed: int = 0) -> GradientProfile:
    """Per-layer delta norms of a deep network on a random batch (Lesson 10, Eq. 5).

    The network is :func:`bp_course.diagnostics.deep_network`; the batch has
    standard normal inputs and uniform targets drawn with ``seed``, so the
    same settings always give the same profile.

    Examples
    --------
    >>> profile = gradient_profile(10, 1.0, "logistic")
    >>> round(profile.ratio, 2), profile.bound
    (0.23, 0.25)
    """
    from bp_course import diagnostics

    net = diagnostics.deep_network(depth, width, activation, scale=scale, seed=seed)
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(examples, width)), rng.uniform(size=(examples, width))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        norms = diagnostics.layer_profile(net, x, t).delta_norm
        ratio = float((norms[0] / norms[-1]) ** (1.0 / (len(norms) - 1))) if len(norms) > 1 else float("nan")
    return GradientProfile(depth=int(depth), scale=float(scale), activation=activation, delta_norm=norms,
                           ratio=ratio, bound=float(scale) * _MAX_SLOPE[activation])


def _draw_profile(profile: GradientProfile):
    L = profile.depth
    envelope = profile.delta_norm[-1] * profile.bound ** (L - np.arange(1, L + 1, dtype=float))
    ax = plots.layer_norms(
        {f"measured: × {profile.ratio:.3g} per layer": profile.delta_norm},
        predicted={f"scale × max φ' = {profile.bound:.3g} per layer": envelope},
        title=f"{profile.activation}, {L} layers, weight scale {profile.scale:.3g}")
    return ax.figure


def depth_scale_explorer(*, width: int = 30, draw: bool = True):
    """Sliders for depth and weight scale, and a choice of activation: watch the deltas vanish or explode (Lesson 10).

    Each setting builds a fresh network and runs one forward and backward
    pass, so the sliders recompute on release (``continuous_update=False``).

    Examples
    --------
    >>> explorer = depth_scale_explorer(draw=False)
    >>> controls(explorer)["activation"].value = "relu"
    >>> controls(explorer)["scale"].value = 2 ** 0.5
    >>> 0.8 < explorer.result.ratio < 1.25
    True
    """

    def compute(depth, scale, activation):
        return gradient_profile(depth, scale, activation, width=width)

    depth = slider(ipywidgets.IntSlider, value=10, min=2, max=30, description="layers", continuous_update=False)
    scale = slider(ipywidgets.FloatLogSlider, value=1.0, base=2, min=-2, max=4, step=0.25, description="weight scale",
                   readout_format=".3g", continuous_update=False)
    activation = slider(ipywidgets.Dropdown, options=["logistic", "tanh", "relu"], value="logistic",
                        description="activation")
    return Explorer(compute, _draw_profile if draw else None, depth=depth, scale=scale, activation=activation)


# -- Lesson 11: momentum against plain descent ---------------------------------------------

@dataclass(frozen=True)
class MomentumRun:
    """The heavy ball and plain gradient descent from one start at one learning rate (Lesson 11).

    Attributes
    ----------
    eta, beta : float
        The learning rate and the momentum.
    path, plain_path : ndarray, shape (m + 1, 2)
        The heavy ball's iterates and plain descent's (a diverging path stops early).
    errors, plain_errors : ndarray
        E at each point of the two paths.
    """

    eta: float
    beta: float
    path: np.ndarray
    plain_path: np.ndarray
    errors: np.ndarray
    plain_errors: np.ndarray


def momentum_run(x, t, eta: float, beta: float, w1: float, w2: float, steps: int) -> MomentumRun:
    """The heavy ball (:class:`bp_course.optimizers.Momentum`) and plain descent from (w1, w2).

    Examples
    --------
    >>> run = momentum_run([[1.0, 1.0]], [0.0], eta=0.25, beta=0.5, w1=1.0, w2=0.0, steps=2)
    >>> run.path.tolist(), run.plain_path.tolist()
    ([[1.0, 0.0], [0.75, -0.25], [0.5, -0.5]], [[1.0, 0.0], [0.75, -0.25], [0.625, -0.375]])
    """
    x = as_float_array(x, "inputs x")
    w = np.array([w1, w2], dtype=np.float64)
    heavy = optimizers.Momentum([w], eta, beta)
    path = [w.copy()]
    for _ in range(int(steps)):
        heavy.step([linear_neuron.gradient(w, x, t)])
        path.append(w.copy())
        if np.max(np.abs(w)) > 1e6:  # diverging: stop before inf
            break
    path = np.array(path)
    plain = linear_neuron.descent_path([w1, w2], x, t, eta, steps)
    return MomentumRun(eta=float(eta), beta=float(beta), path=path, plain_path=plain,
                       errors=linear_neuron.error(path, x, t), plain_errors=linear_neuron.error(plain, x, t))


def _draw_momentum(run: MomentumRun, x, t, extent: float):
    fig, axes = plt.subplot_mosaic([["plain", "heavy"], ["errors", "errors"]], figsize=(plots.FULL_WIDTH, 7.0),
                                   height_ratios=[1.5, 1.0], layout="constrained")
    plots.paths_panel(x, t, {"plain": run.plain_path}, extent=extent, ax=axes["plain"],
                      title=rf"plain descent, $\eta = {run.eta:.3g}$")
    plots.paths_panel(x, t, {"momentum": run.path}, extent=extent, ax=axes["heavy"],
                      title=rf"heavy ball, $\eta = {run.eta:.3g}$, $\beta = {run.beta:.2f}$")
    plots.error_curves({"plain": np.maximum(run.plain_errors, 1e-300), "momentum": np.maximum(run.errors, 1e-300)},
                       log=True, ax=axes["errors"], title="Error along the paths")
    return fig


def momentum_explorer(x, t, *, extent: float = 2.0, draw: bool = True):
    """Sliders for eta and beta: the heavy ball next to plain descent at the same eta (Lesson 11).

    Examples
    --------
    >>> explorer = momentum_explorer([[1.0, 1.0], [1.0, 0.0]], [0.0, 1.0], draw=False)
    >>> controls(explorer)["beta"].value = 0.0
    >>> bool(np.allclose(explorer.result.path, explorer.result.plain_path))   # beta = 0 is plain descent
    True
    """
    x = as_float_array(x, "inputs x")
    eta_max = linear_neuron.stability_bound(x)

    def compute(eta, beta, w1, w2, steps):
        return momentum_run(x, t, eta, beta, w1, w2, steps)

    def figure(run):
        return _draw_momentum(run, x, t, extent)

    eta = slider(ipywidgets.FloatLogSlider, value=0.9 * eta_max, base=10, min=np.log10(eta_max) - 2.0,
                 max=np.log10(eta_max) + 0.5, step=0.05, description="learning rate η", readout_format=".3g",
                 continuous_update=False)
    beta = slider(ipywidgets.FloatSlider, value=0.3, min=0.0, max=0.95, step=0.05, description="momentum β",
                  readout_format=".2f", continuous_update=False)
    start = {name: slider(ipywidgets.FloatSlider, value=-0.5, min=-extent, max=extent, step=0.05,
                          description=f"start {name}", readout_format=".2f", continuous_update=False)
             for name in ("w1", "w2")}
    steps = slider(ipywidgets.IntSlider, value=30, min=1, max=100, description="steps", continuous_update=False)
    return Explorer(compute, figure if draw else None, eta=eta, beta=beta, w1=start["w1"], w2=start["w2"],
                    steps=steps)

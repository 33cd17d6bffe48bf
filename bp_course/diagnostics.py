r"""What a deep network's forward and backward passes look like, layer by layer (Lesson 10).

Lesson 10 ("When gradients misbehave") measures how the deltas of Eq. 5,

.. math:: \delta^{(l)} = \bigl(\delta^{(l+1)} W^{(l)\top}\bigr) \odot \varphi'(\mathrm{net}^{(l)}),

shrink or grow on their way down a deep network, how the outputs keep or
lose their scale on the way up, which ReLU units never fire, and how much
memory the stored outputs of the forward pass take. Everything here takes a
:class:`bp_course.network.Network` or plain arrays and returns NumPy arrays
or numbers; the plots are in :mod:`bp_course.plots`, the explorer in
:mod:`bp_course.widgets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bp_course._validate import as_float_array, choose, positive_number
from bp_course.network import Network

__all__ = ["LayerProfile", "deep_network", "layer_profile", "delta_norms", "slope_rms", "dead_fraction",
           "activation_bytes", "repeated_matrix_norms"]


def deep_network(depth: int, width: int, activation: str = "logistic", *, scale: float = 1.0,
                 seed: int = 0, output: str | None = None) -> Network:
    r"""A network of ``depth`` weight layers, all ``width`` wide, with weights of standard deviation scale / sqrt(width).

    The weight scale ``scale`` is measured against LeCun's 1/sqrt(n_in)
    (Lesson 10): ``scale = 1`` is LeCun's initialization, ``scale = sqrt(2)``
    He's. Every layer has ``width`` inputs, so one standard deviation fits
    all of them. Biases start at zero.

    Parameters
    ----------
    depth : int
        Number of weight layers (at least 1); the network has ``depth + 1`` layers of units.
    width : int
        Units per layer, the input included.
    activation : str
        Activation of every layer (``"logistic"``, ``"tanh"``, ``"relu"``, ``"identity"``).
    scale : float
        The weights' standard deviation times sqrt(width).
    seed : int
        Seed of the weights.
    output : str, optional
        A different activation for the output layer only.

    Examples
    --------
    >>> net = deep_network(3, 4, "relu", scale=2.0)
    >>> net.sizes, [a.name for a in net.activations]
    ([4, 4, 4, 4], ['relu', 'relu', 'relu'])
    """
    for name, value in (("depth", depth), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    scale = positive_number(scale, "weight scale")
    activations = [activation] * depth
    if output is not None:
        activations[-1] = output
    return Network([int(width)] * (int(depth) + 1), activations, seed=seed, init=scale / np.sqrt(width))


@dataclass(frozen=True)
class LayerProfile:
    """One forward and backward pass of a deep network, summarized per layer (Lesson 10).

    Attributes
    ----------
    delta_norm : ndarray, shape (L,)
        ``||delta[l]||`` for the layers l = 1..L after the input: the norm of
        dE/dnet over all units and examples of the batch.
    dW_norm : ndarray, shape (L,)
        ``||dE/dW[l - 1]||``, the norm of the gradient of the weights into layer l.
    out_std : ndarray, shape (L,)
        The standard deviation of the outputs of layer l over units and examples.
    slope_rms : ndarray, shape (L,)
        The root mean square of phi'(net) in layer l.
    """

    delta_norm: np.ndarray
    dW_norm: np.ndarray
    out_std: np.ndarray
    slope_rms: np.ndarray

    @property
    def ratios(self) -> np.ndarray:
        """``delta_norm[l] / delta_norm[l + 1]``: how much one layer shrinks (< 1) or grows (> 1) the deltas."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.delta_norm[:-1] / self.delta_norm[1:]


def layer_profile(net: Network, x, t) -> LayerProfile:
    r"""Per-layer norms of the deltas and weight gradients, output spreads and slopes (Lesson 10, Eq. 5).

    Parameters
    ----------
    net : Network
    x, t : array_like
        A batch of inputs and its targets.

    Returns
    -------
    LayerProfile

    Examples
    --------
    >>> net = deep_network(4, 8, "logistic", seed=1)
    >>> rng = np.random.default_rng(0)
    >>> profile = layer_profile(net, rng.normal(size=(16, 8)), rng.uniform(size=(16, 8)))
    >>> bool(np.all(profile.ratios < 0.25))   # a logistic layer passes at most 1/4 of the delta on, at scale 1
    True
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a bp_course.network.Network, got {type(net).__name__}")
    forward = net.forward(np.atleast_2d(as_float_array(x, "inputs x")))
    grads = net.backward(forward, np.atleast_2d(as_float_array(t, "targets t")))
    slopes = [act.prime(z) for act, z in zip(net.activations, forward.net[1:])]
    return LayerProfile(delta_norm=delta_norms(grads.delta[1:]),
                        dW_norm=np.array([np.linalg.norm(dW) for dW in grads.dW]),
                        out_std=np.array([float(np.std(o)) for o in forward.out[1:]]),
                        slope_rms=np.array([slope_rms(s) for s in slopes]))


def delta_norms(deltas: Sequence) -> np.ndarray:
    """The Euclidean (Frobenius) norm of each array of a list: one number per layer (Lesson 10).

    Examples
    --------
    >>> delta_norms([[3.0, 4.0], [[1.0, 0.0], [0.0, 0.0]]]).tolist()
    [5.0, 1.0]
    """
    return np.array([float(np.linalg.norm(as_float_array(d, f"delta[{l}]", allow_nonfinite=True)))
                     for l, d in enumerate(deltas)])


def slope_rms(slopes) -> float:
    r"""The root mean square of the slopes phi'(net) of a layer: the factor a norm sees (Lesson 10).

    Eq. 5 multiplies each delta by its unit's slope; for a vector whose
    entries are not correlated with the slopes, the norm shrinks by
    :math:`\sqrt{\operatorname{mean}\varphi'^2}`.

    Examples
    --------
    >>> slope_rms([0.25, 0.25, 0.25])
    0.25
    """
    slopes = as_float_array(slopes, "slopes")
    if slopes.size == 0:
        raise ValueError("slopes is empty")
    return float(np.sqrt(np.mean(slopes ** 2)))


def dead_fraction(out) -> float:
    """The share of units that are zero for every example of a batch: dead ReLUs (Lesson 10).

    Parameters
    ----------
    out : array_like, shape (n_examples, n_units)
        The outputs of one ReLU layer.

    Examples
    --------
    >>> dead_fraction([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    0.3333333333333333
    """
    out = as_float_array(out, "outputs out")
    if out.ndim != 2 or out.size == 0:
        raise ValueError(f"out must be a non-empty batch of shape (examples, units), got shape {out.shape}")
    return float(np.mean(np.all(out == 0, axis=0)))


def activation_bytes(sizes: Sequence[int], batch: int, itemsize: int = 8) -> int:
    """Bytes of the layer outputs a backward pass needs, for one batch (Lesson 10).

    Every layer's output ``out[l]`` is kept from the forward pass, the
    input x included: ``dW[l] = out[l].T @ delta[l + 1]`` reads it, and a
    logistic layer's slope ``out (1 - out)`` too. That is
    ``batch * sum(sizes)`` numbers of ``itemsize`` bytes (8 for float64).

    Examples
    --------
    >>> activation_bytes([784, 256, 256, 10], batch=256)
    2674688
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer widths, got {sizes!r}")
    for name, value in [("batch", batch), ("itemsize", itemsize)] + [("a layer width", s) for s in sizes]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(batch) * int(sum(int(s) for s in sizes)) * int(itemsize)


def repeated_matrix_norms(W, delta, steps: int, activation: str = "identity", *, seed: int = 0) -> np.ndarray:
    r"""Norms of a delta sent back ``steps`` times through the same weight matrix: the recurrent case (Lesson 10).

    A recurrent network applies one matrix W at every time step, so Eq. 5,
    unrolled through time, multiplies the delta by W^T again and again
    (with the slopes in between). With ``activation="identity"`` the norm
    grows or shrinks like the largest absolute eigenvalue of W to the power
    of the step; with ``"tanh"`` the slopes are those of a forward pass from
    a random state drawn with ``seed``.

    Returns
    -------
    ndarray, shape (steps + 1,)
        ``||delta||`` after 0, 1, ..., steps steps back.

    Examples
    --------
    >>> repeated_matrix_norms(2.0 * np.eye(2), [1.0, 0.0], 3).tolist()
    [1.0, 2.0, 4.0, 8.0]
    """
    W = as_float_array(W, "W")
    delta = as_float_array(delta, "delta").reshape(-1)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] != delta.size:
        raise ValueError(f"W must be square and match delta: got W of shape {W.shape}, delta of size {delta.size}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    activation = choose(activation, ("identity", "tanh"), "activation")
    slopes = np.ones((steps, delta.size))
    if activation == "tanh":
        state = np.random.default_rng(seed).normal(size=delta.size)
        for k in range(steps):
            state = np.tanh(state @ W)
            slopes[k] = 1 - state ** 2
    norms = [float(np.linalg.norm(delta))]
    with np.errstate(over="ignore", invalid="ignore"):
        for k in reversed(range(steps)):
            delta = (delta * slopes[k]) @ W.T
            norms.append(float(np.linalg.norm(delta)))
    return np.array(norms)

"""The unconstrained test problems of Moré, Garbow and Hillstrom (1981), for bench/optim.py.

J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing unconstrained optimization software",
ACM Transactions on Mathematical Software 7(1), 17-41, 1981. Each problem is a sum of squares
``f(x) = sum_i r_i(x)^2`` of the residuals the paper defines, numbered as in the paper, with
its standard starting point and the values of ``f`` at the minima it lists (global first, then
the local minima it reports). Written with autograd's numpy so that every solver gets the same
exact gradient. Problems 19 (Osborne 2), 22, 24, 26-29 and 31-35 are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np


@dataclass(frozen=True)
class Problem:
    number: int
    name: str
    residuals: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, ...]
    minima: tuple[float, ...]  # f at the minima the paper lists (global first)

    def f(self, x: np.ndarray) -> float:
        r = self.residuals(x)
        return anp.sum(r * r)


def _rosenbrock(x):
    return anp.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])


def _freudenstein_roth(x):
    return anp.array(
        [
            -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1],
            -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1],
        ]
    )


def _powell_badly_scaled(x):
    return anp.array([1e4 * x[0] * x[1] - 1, anp.exp(-x[0]) + anp.exp(-x[1]) - 1.0001])


def _brown_badly_scaled(x):
    return anp.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2])


def _beale(x):
    y = np.array([1.5, 2.25, 2.625])
    i = np.arange(1, 4)
    return y - x[0] * (1 - x[1] ** i)


def _jennrich_sampson(x, m=10):
    i = np.arange(1, m + 1)
    return 2 + 2 * i - (anp.exp(i * x[0]) + anp.exp(i * x[1]))


def _helical_valley(x):
    theta = anp.arctan(x[1] / x[0]) / (2 * np.pi) + (0.5 if x[0] < 0 else 0.0)
    return anp.array([10 * (x[2] - 10 * theta), 10 * (anp.sqrt(x[0] ** 2 + x[1] ** 2) - 1), x[2]])


_BARD_Y = np.array(
    [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]
)


def _bard(x):
    u = np.arange(1, 16)
    v = 16 - u
    w = np.minimum(u, v)
    return _BARD_Y - (x[0] + u / (v * x[1] + w * x[2]))


_GAUSSIAN_Y = np.array(
    [
        0.0009,
        0.0044,
        0.0175,
        0.0540,
        0.1295,
        0.2420,
        0.3521,
        0.3989,
        0.3521,
        0.2420,
        0.1295,
        0.0540,
        0.0175,
        0.0044,
        0.0009,
    ]
)


def _gaussian(x):
    t = (8 - np.arange(1, 16)) / 2
    return x[0] * anp.exp(-x[1] * (t - x[2]) ** 2 / 2) - _GAUSSIAN_Y


_MEYER_Y = np.array(
    [
        34780,
        28610,
        23650,
        19630,
        16370,
        13720,
        11540,
        9744,
        8261,
        7030,
        6005,
        5147,
        4427,
        3820,
        3307,
        2872,
    ],
    dtype=float,
)


def _meyer(x):
    t = 45 + 5 * np.arange(1, 17)
    return x[0] * anp.exp(x[1] / (t + x[2])) - _MEYER_Y


def _gulf(x, m=99):
    # The paper prints "|y_i m i x_2|"; the "m i" is a minus sign (a known misprint).
    t = np.arange(1, m + 1) / 100
    y = 25 + (-50 * np.log(t)) ** (2 / 3)
    return anp.exp(-(anp.abs(y - x[1]) ** x[2]) / x[0]) - t


def _box_3d(x, m=10):
    t = 0.1 * np.arange(1, m + 1)
    return anp.exp(-t * x[0]) - anp.exp(-t * x[1]) - x[2] * (np.exp(-t) - np.exp(-10 * t))


def _powell_singular(x):
    return anp.array(
        [
            x[0] + 10 * x[1],
            np.sqrt(5) * (x[2] - x[3]),
            (x[1] - 2 * x[2]) ** 2,
            np.sqrt(10) * (x[0] - x[3]) ** 2,
        ]
    )


def _wood(x):
    return anp.array(
        [
            10 * (x[1] - x[0] ** 2),
            1 - x[0],
            np.sqrt(90) * (x[3] - x[2] ** 2),
            1 - x[2],
            np.sqrt(10) * (x[1] + x[3] - 2),
            (x[1] - x[3]) / np.sqrt(10),
        ]
    )


_KOWALIK_Y = np.array(
    [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246]
)
_KOWALIK_U = np.array([4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])


def _kowalik_osborne(x):
    u = _KOWALIK_U
    return _KOWALIK_Y - x[0] * (u**2 + u * x[1]) / (u**2 + u * x[2] + x[3])


def _brown_dennis(x, m=20):
    t = np.arange(1, m + 1) / 5
    return (x[0] + t * x[1] - np.exp(t)) ** 2 + (x[2] + x[3] * np.sin(t) - np.cos(t)) ** 2


_OSBORNE1_Y = np.array(
    [
        0.844,
        0.908,
        0.932,
        0.936,
        0.925,
        0.908,
        0.881,
        0.850,
        0.818,
        0.784,
        0.751,
        0.718,
        0.685,
        0.658,
        0.628,
        0.603,
        0.580,
        0.558,
        0.538,
        0.522,
        0.506,
        0.490,
        0.478,
        0.467,
        0.457,
        0.448,
        0.438,
        0.431,
        0.424,
        0.420,
        0.414,
        0.411,
        0.406,
    ]
)


def _osborne1(x):
    t = 10 * np.arange(33)
    return _OSBORNE1_Y - (x[0] + x[1] * anp.exp(-t * x[3]) + x[2] * anp.exp(-t * x[4]))


def _biggs_exp6(x, m=13):
    t = 0.1 * np.arange(1, m + 1)
    y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)
    return x[2] * anp.exp(-t * x[0]) - x[3] * anp.exp(-t * x[1]) + x[5] * anp.exp(-t * x[4]) - y


def _watson(x):
    n = 6
    t = np.arange(1, 30) / 29
    j = np.arange(1, n + 1)
    # sum_{j=2}^n (j-1) x_j t^(j-2) and sum_{j=1}^n x_j t^(j-1), as matrix products.
    first = (t[:, None] ** (j[1:] - 2)[None, :] * (j[1:] - 1)[None, :]) @ x[1:]
    second = (t[:, None] ** (j - 1)[None, :]) @ x
    return anp.concatenate([first - second**2 - 1, anp.array([x[0], x[1] - x[0] ** 2 - 1])])


def _extended_rosenbrock(x):
    odd, even = x[0::2], x[1::2]
    return anp.concatenate([10 * (even - odd**2), 1 - odd])


def _penalty1(x):
    return anp.concatenate([np.sqrt(1e-5) * (x - 1), anp.array([anp.sum(x**2) - 0.25])])


def _variably_dimensioned(x):
    n = x.shape[0]
    j = np.arange(1, n + 1)
    s = anp.sum(j * (x - 1))
    return anp.concatenate([x - 1, anp.array([s, s**2])])


def _broyden_tridiagonal(x):
    padded = anp.concatenate([anp.array([0.0]), x, anp.array([0.0])])
    return (3 - 2 * x) * x - padded[:-2] - 2 * padded[2:] + 1


PROBLEMS = [
    Problem(1, "Rosenbrock", _rosenbrock, (-1.2, 1.0), (0.0,)),
    Problem(2, "Freudenstein and Roth", _freudenstein_roth, (0.5, -2.0), (0.0, 48.9842)),
    Problem(3, "Powell badly scaled", _powell_badly_scaled, (0.0, 1.0), (0.0,)),
    Problem(4, "Brown badly scaled", _brown_badly_scaled, (1.0, 1.0), (0.0,)),
    Problem(5, "Beale", _beale, (1.0, 1.0), (0.0,)),
    Problem(6, "Jennrich and Sampson (m = 10)", _jennrich_sampson, (0.3, 0.4), (124.362,)),
    Problem(7, "Helical valley", _helical_valley, (-1.0, 0.0, 0.0), (0.0,)),
    Problem(8, "Bard", _bard, (1.0, 1.0, 1.0), (8.21487e-3, 17.4286)),
    Problem(9, "Gaussian", _gaussian, (0.4, 1.0, 0.0), (1.12793e-8,)),
    Problem(10, "Meyer", _meyer, (0.02, 4000.0, 250.0), (87.9458,)),
    Problem(11, "Gulf research and development (m = 99)", _gulf, (5.0, 2.5, 0.15), (0.0,)),
    Problem(12, "Box three-dimensional (m = 10)", _box_3d, (0.0, 10.0, 20.0), (0.0,)),
    Problem(13, "Powell singular", _powell_singular, (3.0, -1.0, 0.0, 1.0), (0.0,)),
    Problem(14, "Wood", _wood, (-3.0, -1.0, -3.0, -1.0), (0.0,)),
    Problem(
        15,
        "Kowalik and Osborne",
        _kowalik_osborne,
        (0.25, 0.39, 0.415, 0.39),
        (3.07505e-4, 1.02734e-3),
    ),
    Problem(16, "Brown and Dennis (m = 20)", _brown_dennis, (25.0, 5.0, -5.0, -1.0), (85822.2,)),
    Problem(17, "Osborne 1", _osborne1, (0.5, 1.5, -1.0, 0.01, 0.02), (5.46489e-5,)),
    Problem(
        18, "Biggs EXP6 (m = 13)", _biggs_exp6, (1.0, 2.0, 1.0, 1.0, 1.0, 1.0), (0.0, 5.65565e-3)
    ),
    Problem(20, "Watson (n = 6)", _watson, (0.0,) * 6, (2.28767e-3,)),
    Problem(21, "Extended Rosenbrock (n = 10)", _extended_rosenbrock, (-1.2, 1.0) * 5, (0.0,)),
    Problem(23, "Penalty I (n = 4)", _penalty1, (1.0, 2.0, 3.0, 4.0), (2.24997e-5,)),
    Problem(
        25,
        "Variably dimensioned (n = 10)",
        _variably_dimensioned,
        tuple(1 - j / 10 for j in range(1, 11)),
        (0.0,),
    ),
    Problem(30, "Broyden tridiagonal (n = 10)", _broyden_tridiagonal, (-1.0,) * 10, (0.0,)),
]

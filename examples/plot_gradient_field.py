"""
The gradient field on contours
==============================

At every point the gradient of ``f(x_1, x_2)`` points uphill, in the direction
of steepest ascent, and is perpendicular to the level set through that point.
The figure draws level sets of Himmelblau's function with its gradient as
arrows, and at one point the gradient and the tangent of the level set. The
script then checks that the directional derivative is largest along the
gradient, with value ``|∇f|``, and zero along the level set. Chapter:
:doc:`/gradient`.

Run it with ``python plot_gradient_field.py``. Add ``--save`` to also write the
figure to ``plot_gradient_field.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import directional_derivative
from calcml.functions import himmelblau
from calcml.plotting import plot_gradient_field, use_book_style

use_book_style()

point = np.array([1.0, 1.0])
ax = plot_gradient_field(
    himmelblau,
    himmelblau.grad,
    bounds=himmelblau.bounds,
    point=point,
    normalize=True,
)
ax.set_title("Himmelblau's function: directions of the gradient")

# %%
# Turn a unit direction around the point and measure the slope of ``f`` along
# it.
angles = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
slopes = np.array(
    [
        directional_derivative(himmelblau, point, [np.cos(a), np.sin(a)])
        for a in angles
    ]
)
grad = himmelblau.grad(point)
steepest = angles[np.argmax(slopes)]
print(
    f"gradient at {point.tolist()}: {grad}, length {np.linalg.norm(grad):.4f}"
)
print(
    f"largest directional derivative {slopes.max():.4f}, "
    f"at angle {np.degrees(steepest):.0f}°"
)
grad_angle = np.degrees(np.arctan2(grad[1], grad[0])) % 360
print(f"angle of the gradient: {grad_angle:.1f}°")
level_set_tangent = np.array([-grad[1], grad[0]])
along = directional_derivative(himmelblau, point, level_set_tangent)
print(f"slope along the level set: {along:.1e}")

if "--save" in sys.argv:
    ax.figure.savefig(Path(__file__).with_suffix(".png").name)
plt.show()

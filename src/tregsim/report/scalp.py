"""A top view of the scalp split into the four SALT regions, with hair loss drawn to a score.

SALT (Olsen et al., J Am Acad Dermatol 2004;51:440) weights the percent hair loss of four
regions: vertex 40%, posterior 24%, left side 18%, right side 18%. The drawing is an ellipse
(nose up) cut into a left and a right lateral strip and a central band split front/back into
vertex and posterior, with the cuts placed so that each region's *area* is its SALT weight.

Hair loss is placed as round patches: a fixed smooth random field (sum of Gaussian bumps) is
ranked and cells are made bald in that order until the SALT-weighted bald fraction
sum_r weight_r * bald_r equals SALT/100 (to within one grid cell). Because the field is fixed,
pictures at decreasing SALT are nested: regrowth fills the same patches in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "REGION_WEIGHTS",
    "REGIONS",
    "ScalpMask",
    "bald_mask",
    "draw_scalp",
    "region_area_fractions",
    "region_bald_fractions",
    "weighted_bald_fraction",
]

REGIONS = ("vertex", "posterior", "left", "right")
REGION_WEIGHTS = {"vertex": 0.40, "posterior": 0.24, "left": 0.18, "right": 0.18}
_LABELS = {"vertex": "Vertex", "posterior": "Posterior", "left": "Left side", "right": "Right side"}

# head outline: ellipse with half-width A (ear to ear) and half-length B (nose to occiput)
A, B = 0.80, 1.0
SKIN = "#F1C6A2"
HAIR_BASE = "#7A5A43"
HAIR_STROKE = "#2E1F14"


def _segment_fraction(h: float) -> float:
    """Fraction of the unit disc with u > h (circular segment)."""
    return (np.arccos(h) - h * np.sqrt(1.0 - h * h)) / np.pi


def _bisect(f, lo: float, hi: float, tol: float = 1e-12) -> float:
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo < tol:
            break
    return 0.5 * (lo + hi)


def _band_above_fraction(h: float, k: float, n: int = 200_001) -> float:
    """Fraction of the unit disc with |u| < h and v > k (trapezoid rule, error ~1e-10)."""
    v = np.linspace(k, 1.0, n)
    width = 2.0 * np.minimum(h, np.sqrt(np.clip(1.0 - v * v, 0.0, None)))
    return float(np.trapezoid(width, v) / np.pi)


@lru_cache(maxsize=1)
def _cuts() -> tuple[float, float]:
    """(h, k) in unit-disc coordinates: sides are |u| > h, vertex is |u| < h and v > k."""
    h = _bisect(lambda x: _segment_fraction(x) - REGION_WEIGHTS["right"], 0.0, 1.0)
    k = _bisect(lambda x: _band_above_fraction(h, x) - REGION_WEIGHTS["vertex"], -1.0, 1.0, 1e-9)
    return h, k


def region_area_fractions() -> dict[str, float]:
    """Exact area fraction of each drawn region; equals REGION_WEIGHTS by construction."""
    h, k = _cuts()
    side = _segment_fraction(h)
    vertex = _band_above_fraction(h, k)
    side = float(side)
    return {"vertex": vertex, "posterior": 1.0 - vertex - 2 * side, "left": side, "right": side}


def _region_codes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Region index (into REGIONS) of points (x, y); -1 outside the head."""
    h, k = _cuts()
    u, v = x / A, y / B
    code = np.full(np.shape(x), -1, dtype=np.int8)
    inside = u * u + v * v <= 1.0
    code[inside & (u < -h)] = 2
    code[inside & (u > h)] = 3
    mid = inside & (np.abs(u) <= h)
    code[mid & (v > k)] = 0
    code[mid & (v <= k)] = 1
    return code


@dataclass(frozen=True)
class ScalpMask:
    """Rasterised scalp: cell centres, region index (-1 outside) and the bald flag."""

    x: np.ndarray
    y: np.ndarray
    region: np.ndarray
    bald: np.ndarray
    salt: float


@lru_cache(maxsize=4)
def _grid(resolution: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ny = resolution
    nx = int(round(resolution * A / B))
    xs = np.linspace(-A, A, nx + 1)
    ys = np.linspace(-B, B, ny + 1)
    x, y = np.meshgrid(0.5 * (xs[1:] + xs[:-1]), 0.5 * (ys[1:] + ys[:-1]))
    region = _region_codes(x, y)
    rng = np.random.default_rng(seed)
    # patch "seeds": round bumps of varied size; bigger, stronger bumps go bald first
    n_bumps = 28
    cx = rng.uniform(-A, A, n_bumps)
    cy = rng.uniform(-B, B, n_bumps)
    width = rng.uniform(0.12, 0.32, n_bumps)
    height = rng.uniform(0.6, 1.0, n_bumps)
    field = np.zeros_like(x)
    for i in range(n_bumps):
        bump = height[i] * np.exp(-((x - cx[i]) ** 2 + (y - cy[i]) ** 2) / (2 * width[i] ** 2))
        field = np.maximum(field, bump)
    # a gentle large-scale trend so extensive loss spreads as in totalis, plus fine jitter
    field = field + 0.15 * np.exp(-(x**2 + (y - 0.2) ** 2) / 0.8) + 0.02 * rng.random(x.shape)
    return x, y, region, field


def bald_mask(salt: float, resolution: int = 180, seed: int = 11) -> ScalpMask:
    """Bald cells for a SALT score (0-100): SALT-weighted bald fraction equals salt/100.

    Each inside cell carries weight REGION_WEIGHTS[region] / (cells in region), so the
    weights sum to 1; cells are taken in decreasing order of a fixed random field until the
    cumulative weight is closest to salt/100. The error is at most half a cell's weight
    (about 1e-4 at the default resolution).
    """
    salt = float(np.clip(np.nan_to_num(salt, nan=0.0), 0.0, 100.0))
    x, y, region, field = _grid(int(resolution), int(seed))
    inside = np.flatnonzero(region.ravel() >= 0)
    reg = region.ravel()[inside]
    counts = np.bincount(reg, minlength=len(REGIONS))
    w_region = np.array([REGION_WEIGHTS[r] for r in REGIONS])
    cell_weight = w_region[reg] / counts[reg]
    order = np.argsort(-field.ravel()[inside], kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(cell_weight[order])])
    n_bald = int(np.argmin(np.abs(cumulative - salt / 100.0)))
    bald = np.zeros(region.size, dtype=bool)
    bald[inside[order[:n_bald]]] = True
    return ScalpMask(x=x, y=y, region=region, bald=bald.reshape(region.shape), salt=salt)


def region_bald_fractions(mask: ScalpMask) -> dict[str, float]:
    """Fraction of each region's area that is bald in `mask`."""
    out = {}
    for i, name in enumerate(REGIONS):
        cells = mask.region == i
        out[name] = float(mask.bald[cells].mean()) if cells.any() else 0.0
    return out


def weighted_bald_fraction(mask: ScalpMask) -> float:
    """SALT/100 as a rater would score the drawing: sum of weight_r * bald fraction_r."""
    fractions = region_bald_fractions(mask)
    return float(sum(REGION_WEIGHTS[r] * fractions[r] for r in REGIONS))


def _hair_strokes(seed: int, n: int = 6500) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stroke start points and directions on a jittered grid, radiating from a crown whorl."""
    rng = np.random.default_rng(seed + 1)
    side = int(np.sqrt(n * A / B / (np.pi / 4)))
    gx = np.linspace(-A, A, side)
    gy = np.linspace(-B, B, int(side * B / A))
    x, y = np.meshgrid(gx, gy)
    step = gx[1] - gx[0]
    x = x.ravel() + rng.uniform(-0.5, 0.5, x.size) * step
    y = y.ravel() + rng.uniform(-0.5, 0.5, y.size) * step
    keep = (x / A) ** 2 + (y / B) ** 2 <= 0.985
    x, y = x[keep], y[keep]
    angle = np.arctan2(y + 0.25, x + 0.05) + rng.normal(0, 0.35, x.size)  # whorl behind vertex
    return x, y, angle


def draw_scalp(ax, salt: float, title: str | None = None, seed: int = 11, labels: bool = True):
    """Draw the scalp for a SALT score onto a matplotlib Axes and return the ScalpMask used."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Ellipse

    mask = bald_mask(salt, seed=seed)
    ax.set_aspect("equal")
    ax.set_xlim(-A * 1.22, A * 1.22)
    ax.set_ylim(-B * 1.08, B * 1.16)
    ax.axis("off")

    # ears and nose to orient the view
    for sx in (-1, 1):
        ax.add_patch(
            Ellipse((sx * A * 1.02, -0.05), 0.16, 0.36, facecolor=SKIN, edgecolor="#8C6B55", lw=0.8)
        )
    ax.add_patch(
        Ellipse((0, B * 1.02), 0.2, 0.16, facecolor=SKIN, edgecolor="#8C6B55", lw=0.8, zorder=0)
    )
    head = Ellipse((0, 0), 2 * A, 2 * B, facecolor=SKIN, edgecolor="#5A4030", lw=1.2, zorder=1)
    ax.add_patch(head)

    rgba = np.zeros(mask.region.shape + (4,))
    rgba[mask.region >= 0] = to_rgba(HAIR_BASE)
    rgba[mask.bald] = to_rgba(SKIN)
    img = ax.imshow(rgba, origin="lower", extent=(-A, A, -B, B), interpolation="bilinear", zorder=2)
    img.set_clip_path(head)

    x, y, angle = _hair_strokes(seed)
    ny, nx = mask.region.shape
    ix = np.clip(((x + A) / (2 * A) * nx).astype(int), 0, nx - 1)
    iy = np.clip(((y + B) / (2 * B) * ny).astype(int), 0, ny - 1)
    hairy = (mask.region[iy, ix] >= 0) & ~mask.bald[iy, ix]
    length = 0.042
    seg = np.stack(
        [
            np.column_stack([x[hairy], y[hairy]]),
            np.column_stack(
                [x[hairy] + length * np.cos(angle[hairy]), y[hairy] + length * np.sin(angle[hairy])]
            ),
        ],
        axis=1,
    )
    strokes = LineCollection(seg, colors=HAIR_STROKE, linewidths=0.5, capstyle="round", zorder=3)
    strokes.set_clip_path(head)
    ax.add_collection(strokes)

    # region boundaries
    h, k = _cuts()
    vmax = np.sqrt(1 - h * h)
    style = dict(color="white", lw=1.4, ls=(0, (4, 2)), zorder=4)
    for sx in (-1, 1):
        ax.plot([sx * h * A, sx * h * A], [-vmax * B, vmax * B], **style)
    ax.plot([-h * A, h * A], [k * B, k * B], **style)

    if labels:
        fractions = region_bald_fractions(mask)
        centres = {
            "vertex": (0.0, (k + vmax) / 2 * B),
            "posterior": (0.0, (k - vmax) / 2 * B),
            "left": (-(1 + h) / 2 * A, 0.0),
            "right": ((1 + h) / 2 * A, 0.0),
        }
        for name, (cx, cy) in centres.items():
            text = f"{_LABELS[name]}\n{REGION_WEIGHTS[name]:.0%}\n{fractions[name]:.0%} loss"
            if name in ("left", "right"):
                text = (
                    f"{_LABELS[name].split()[0]}\n{REGION_WEIGHTS[name]:.0%}\n{fractions[name]:.0%}"
                )
            ax.text(
                cx,
                cy,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="black",
                zorder=5,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8),
            )
    if title:
        ax.set_title(title, fontsize=9)
    return mask

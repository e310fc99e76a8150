"""The handler entry points: plain functions with type hints, no packagers code at all."""

from __future__ import annotations


def prepare(rows: int = 5) -> dict[str, list[float]]:
    """Make a small table: x and y = 2x + 1."""
    xs = [float(i) for i in range(rows)]
    return {"x": xs, "y": [2 * x + 1 for x in xs]}


def train(data: dict, scale: float = 1.0) -> tuple[dict[str, float], float]:
    """Fit y = a*x + b by least squares; also return the scaled sum of y."""
    xs, ys = data["x"], data["y"]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return {"slope": slope, "intercept": mean_y - slope * mean_x}, scale * sum(ys)

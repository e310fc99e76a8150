"""The quickstart's three steps: plain, type-hinted functions that know nothing of packagers.

Only `LinearModelPackager` at the bottom is packagers-specific: a custom packager, registered by
the pipeline, that stores the model as readable JSON instead of a pickle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from packagers import DataItem, DefaultPackager, ModelArtifact


def make_raw(rows: int = 500, seed: int = 7) -> pd.DataFrame:
    """Sensor readings as they arrive: some missing values and some rows sent twice."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, rows)
    frame = pd.DataFrame(
        {
            "x": x,
            "temperature": rng.normal(20, 3, rows),
            "y": 3.0 * x + 4.0 + rng.normal(0, 1.5, rows),
            "site": rng.choice(["north", "south", "east"], rows),
        }
    )
    frame.loc[rng.choice(rows, rows // 20, replace=False), "temperature"] = np.nan
    frame.loc[rng.choice(rows, rows // 25, replace=False), "y"] = np.nan
    duplicates = frame.sample(rows // 10, random_state=seed)
    return pd.concat([frame, duplicates], ignore_index=True)


def clean(raw: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """Drop incomplete and repeated rows; report how many are left."""
    cleaned = raw.dropna().drop_duplicates().reset_index(drop=True)
    return len(cleaned), cleaned


@dataclass
class LinearModel:
    slope: float
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.slope * x + self.intercept


def train(
    data: pd.DataFrame, test_fraction: float = 0.25, seed: int = 0
) -> tuple[LinearModel, float, float, Image.Image, pd.DataFrame]:
    """Least squares on a train split; metrics, a plot of the fit and the test set on the rest."""
    shuffled = data.sample(frac=1.0, random_state=seed)
    cut = int(len(shuffled) * (1 - test_fraction))
    train_set, test_set = shuffled.iloc[:cut], shuffled.iloc[cut:]
    design = np.column_stack([train_set["x"].to_numpy(), np.ones(len(train_set))])
    (slope, intercept), *_ = np.linalg.lstsq(design, train_set["y"].to_numpy(), rcond=None)
    model = LinearModel(float(slope), float(intercept))
    errors = test_set["y"].to_numpy() - model.predict(test_set["x"].to_numpy())
    mse = float(np.mean(errors**2))
    r2 = float(1 - errors.var() / test_set["y"].to_numpy().var())
    return model, r2, mse, _plot(test_set, model), test_set


def _plot(points: pd.DataFrame, model: LinearModel, size: int = 320) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    x_max, y_min, y_max = 10.0, min(y.min(), model.intercept), max(y.max(), model.predict(10.0))

    def at(px: float, py: float) -> tuple[float, float]:
        return px / x_max * (size - 1), (1 - (py - y_min) / (y_max - y_min)) * (size - 1)

    for px, py in zip(x, y, strict=True):
        cx, cy = at(px, py)
        draw.ellipse((cx - 2, cy - 2, cx + 2, cy + 2), fill=(70, 110, 200))
    draw.line((*at(0.0, model.predict(0.0)), *at(x_max, model.predict(x_max))), fill="red", width=2)
    return image


class LinearModelPackager(DefaultPackager):
    """A custom packager: the model as a small JSON model artifact, readable anywhere."""

    PACKABLE_OBJECT_TYPE = LinearModel
    DEFAULT_PACKING_ARTIFACT_TYPE = "model"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "model"

    def pack_model(self, obj: LinearModel, key: str) -> tuple[ModelArtifact, dict[str, Any]]:
        path = self.temp_path(key, ".json")
        with open(path, "w", encoding="utf-8") as stream:
            json.dump({"slope": obj.slope, "intercept": obj.intercept}, stream)
        return ModelArtifact(key, path, format="json", framework="numpy-lstsq"), {}

    def unpack_model(self, data_item: DataItem) -> LinearModel:
        with data_item.open("rb") as stream:
            return LinearModel(**json.load(stream))

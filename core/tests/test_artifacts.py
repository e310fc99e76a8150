"""Artifact kinds and types: enums whose members are the strings manifests hold."""

from __future__ import annotations

import json

import pytest

from packagers import Artifact, ArtifactType, DatasetArtifact, ModelArtifact, PlotArtifact
from packagers.artifacts import ArtifactKind


@pytest.mark.parametrize(
    ("cls", "kind"),
    [
        (Artifact, "artifact"),
        (DatasetArtifact, "dataset"),
        (ModelArtifact, "model"),
        (PlotArtifact, "plot"),
    ],
)
def test_each_artifact_class_records_its_kind_as_plain_text(cls: type[Artifact], kind: str) -> None:
    assert cls.kind is ArtifactKind(kind)
    written = json.loads(json.dumps(cls("k", "data.csv").to_dict()))
    assert written["kind"] == kind and type(written["kind"]) is str


def test_artifact_types_are_the_strings_packagers_share() -> None:
    assert [str(t) for t in ArtifactType] == [
        "result",
        "object",
        "file",
        "dataset",
        "model",
        "plot",
        "path",
    ]
    assert ArtifactType.MODEL == "model" and f"{ArtifactType.MODEL!r}" == "'model'"

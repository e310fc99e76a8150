"""PIL images for packagers: lossless image files by default, lossy formats on request, plots.

Importing this package does not import PIL; the packager resolves ``PIL.Image.Image`` only once
PIL is loaded.
"""

from __future__ import annotations

from packagers_pil._formats import FORMATS, ImageFormat
from packagers_pil._image import PilImagePackager

__all__ = ["FORMATS", "ImageFormat", "PilImagePackager"]

"""Import ultralytics with every network call of its switched off: no font download, no usage events, no installs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType

from .torch_compat import ensure_torchvision_ops


def _font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def import_ultralytics(config_dir: Path) -> ModuleType:
    """ultralytics, configured to write under `config_dir` and never to reach the internet."""
    config_dir.mkdir(parents=True, exist_ok=True)
    os.environ["YOLO_CONFIG_DIR"] = str(config_dir)
    os.environ["YOLO_OFFLINE"] = "1"  # no DNS checks, no usage events
    os.environ["YOLO_AUTOINSTALL"] = "0"  # no pip installs during export
    # Every train/val run fetches Arial.ttf unless a font already sits where it looks.
    font_dir = config_dir / "Ultralytics"
    font_dir.mkdir(exist_ok=True)
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        if not (font_dir / name).exists():
            shutil.copy(_font(), font_dir / name)
    ensure_torchvision_ops()
    import ultralytics
    from PIL import Image
    from ultralytics.utils import SETTINGS, patches

    SETTINGS.update({"sync": False})
    # ultralytics replaces PIL.Image.open process-wide with a version that, on any file Pillow
    # cannot identify, tries to install and import pi-heif: offline that raises ModuleNotFoundError
    # instead of UnidentifiedImageError, for every caller in the process. Our data is JPEG only.
    Image.open = patches._image_open
    return ultralytics

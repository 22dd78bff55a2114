"""The pure-torch nms that stands in for torchvision's compiled op agrees with the NumPy one."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training extras are installed by make test")

from detection.boxes import nms  # noqa: E402
from training.torch_compat import ensure_torchvision_ops, nms_reference  # noqa: E402


def test_reference_nms_matches_numpy_nms_on_random_boxes():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (300, 2))
    wh = rng.uniform(5, 40, (300, 2))
    boxes = np.concatenate([xy, xy + wh], axis=1)
    scores = rng.random(300)
    for threshold in (0.3, 0.5, 0.7):
        ours = nms_reference(torch.tensor(boxes), torch.tensor(scores), threshold).tolist()
        assert ours == nms(boxes, scores, threshold).tolist()


def test_torchvision_nms_works_after_the_shim():
    ensure_torchvision_ops()
    import torchvision

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30.0]])
    assert torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5).tolist() == [0, 2]


def test_importing_ultralytics_leaves_pillow_as_it_was(tmp_path):
    import io

    from PIL import Image

    from training.ultralytics_env import import_ultralytics

    import_ultralytics(tmp_path / "yolo")
    with pytest.raises(Image.UnidentifiedImageError):
        Image.open(io.BytesIO(b"not an image at all"))

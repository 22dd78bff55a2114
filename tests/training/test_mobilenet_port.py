"""The Keras MobileNetV2 built here gives torchvision's outputs with torchvision's ImageNet weights."""

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="training extras are installed by make test")
torch = pytest.importorskip("torch", reason="training extras are installed by make test")

pytestmark = pytest.mark.slow


def test_keras_port_matches_torchvision_logits():
    from training.mobilenet_v2 import (
        IMAGENET_MEAN,
        IMAGENET_STD,
        build_mobilenet_v2,
        imagenet_weights_path,
        load_imagenet_weights,
    )
    from training.torch_compat import ensure_torchvision_ops

    ensure_torchvision_ops()
    import torchvision

    state = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
    keras_model = load_imagenet_weights(build_mobilenet_v2(160, include_top=True), state)
    torch_model = torchvision.models.mobilenet_v2()
    torch_model.load_state_dict(state)
    torch_model.eval()

    x = np.random.default_rng(0).random((2, 160, 160, 3), dtype=np.float32)
    ours = keras_model(x, training=False).numpy()
    normalised = (x - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    with torch.no_grad():
        theirs = torch_model(torch.from_numpy(normalised).permute(0, 3, 1, 2)).numpy()

    assert np.abs(ours - theirs).max() < 1e-4
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()

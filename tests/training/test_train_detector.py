"""A tiny training run of the detector, through export to TFLite and evaluation, to keep that code honest."""

import importlib.util

import pytest

# Found, not imported: importing ultralytics patches PIL.Image.open for the whole test session
# (training.ultralytics_env undoes that when the training code imports it).
if importlib.util.find_spec("ultralytics") is None:
    pytest.skip("training extras are installed by make test", allow_module_level=True)

from PIL import Image

from detection.models.garments import GarmentDetector
from detection.taxonomy import DETECTOR_CLASSES
from synthetic.lookbook import LookbookConfig, build_lookbook
from training.detector import DetectorTraining, export_tflite, train_detector
from training.detector_eval import evaluate_detector

pytestmark = pytest.mark.slow


def test_one_epoch_trains_exports_and_evaluates(tmp_path):
    lookbook = tmp_path / "lookbook"
    build_lookbook(lookbook, LookbookConfig({"train": 8, "val": 2, "test": 2}, n_products=60, width=240, height=320))

    best = train_detector(
        DetectorTraining(lookbook / "yolo" / "data.yaml", tmp_path / "work", epochs=1, imgsz=160, batch=4)
    )
    files = export_tflite(best, 160, tmp_path / "export")

    assert files["float16"].stat().st_size < files["float32"].stat().st_size * 0.6
    detector = GarmentDetector(files["float16"], DETECTOR_CLASSES)
    assert detector.size == 160
    boxes = detector.predict(Image.open(next((lookbook / "yolo" / "images" / "test").glob("*.jpg"))), conf=0.0)
    assert all(0 <= b.x1 <= b.x2 <= 240 and 0 <= b.y1 <= b.y2 <= 320 for b in boxes)
    metrics = evaluate_detector(files["float16"], lookbook, "test")
    assert metrics["images"] == 2 and set(metrics["per_class"]) == {"topwear", "bottomwear", "footwear", "person"}
    assert 0.0 <= metrics["map50"] <= 1.0

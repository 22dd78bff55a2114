"""The gender classifier: preprocessing, a tiny training run through TFLite, and the accuracy metric."""

import numpy as np
import pytest
from PIL import Image

from detection.boxes import fit_crop, square_crop
from detection.models.gender import GenderGuess
from training.gender_eval import Prediction, confusion, summarise


def test_square_crop_pads_a_tall_person_box_to_a_square_without_stretching():
    photo = Image.new("RGB", (400, 400), (255, 255, 255))
    photo.paste((255, 0, 0), (150, 50, 250, 350))  # a 100 x 300 red "person"
    crop = square_crop(photo, (150, 50, 250, 350), 64)
    assert crop.shape == (64, 64, 3) and crop.dtype == np.float32
    assert crop[32, 32].tolist() == pytest.approx([1.0, 0.0, 0.0])  # the person, centred
    assert crop[32, 2].tolist() == pytest.approx([128 / 255] * 3)  # grey padding beside it


def test_fit_crop_gives_a_tall_person_box_the_whole_height_of_a_tall_input():
    photo = Image.new("RGB", (400, 400), (255, 255, 255))
    photo.paste((255, 0, 0), (150, 50, 250, 350))  # 100 x 300; with the 8% margin 116 x 348
    crop = fit_crop(photo, (150, 50, 250, 350), 128, 64)
    assert crop.shape == (128, 64, 3)
    red = (crop[..., 0] > 0.9) & (crop[..., 1] < 0.1)
    rows, cols = np.flatnonzero(red.any(axis=1)), np.flatnonzero(red.any(axis=0))
    # 300 of 348 px tall fills 128 * 300 / 348 = 110 rows; 100 px wide keeps the aspect: 37 columns.
    assert abs(len(rows) - 110) <= 2 and abs(len(cols) - 37) <= 2
    assert crop[64, 2].tolist() == pytest.approx([128 / 255] * 3)  # grey padding beside it


def test_guess_labels():
    assert GenderGuess(0.9).label == "women" and GenderGuess(0.1).label == "men"
    assert GenderGuess(0.5).label == "women" and GenderGuess(0.49).label == "men"


def test_confusion_matrix_rows_are_truth_columns_are_predictions():
    predictions = [Prediction(*p) for p in [("men", 0.1), ("men", 0.7), ("women", 0.9), ("women", 0.8), ("women", 0.2)]]
    assert confusion(predictions) == [[1, 1], [1, 2]]


def test_summary_splits_accuracy_by_facing():
    predictions = [
        Prediction(*p)
        for p in [("men", 0.1, "front"), ("women", 0.9, "front"), ("women", 0.4, "back"), ("men", 0.2, "back")]
    ]
    summary = summarise(predictions, "test")
    assert summary["accuracy"] == 0.75 and summary["images"] == 4
    assert summary["accuracy_by_facing"] == {"back": 0.5, "front": 1.0}


@pytest.mark.slow
def test_one_epoch_of_gender_training_exports_a_working_tflite(tmp_path):
    pytest.importorskip("tensorflow", reason="training extras are installed by make test")
    from detection.models.gender import GenderClassifier
    from synthetic.lookbook import LookbookConfig, build_lookbook
    from training.gender import GenderTraining, lookbook_examples, train_gender
    from training.keras_export import export_tflite

    lookbook = tmp_path / "lookbook"
    build_lookbook(lookbook, LookbookConfig({"train": 8, "val": 4, "test": 2}, n_products=60, width=240, height=320))
    cfg = GenderTraining(size=96, width=64, head_epochs=1, finetune_epochs=1, batch=4)

    model, history = train_gender(lookbook_examples(lookbook, "train"), lookbook_examples(lookbook, "val"), cfg)

    assert [h["phase"] for h in history] == ["head", "finetune"]
    assert all(np.isfinite(h["loss"]) for h in history)
    path = export_tflite(model, tmp_path / "gender.tflite")
    classifier = GenderClassifier(path)
    guess = classifier.predict(Image.open(next((lookbook / "yolo" / "images" / "test").glob("*.jpg"))))
    assert 0.0 <= guess.p_women <= 1.0
    # the TFLite file gives what the Keras model gives on the same input
    assert (classifier.height, classifier.width) == (96, 64)
    x = fit_crop(Image.open(next((lookbook / "yolo" / "images" / "test").glob("*.jpg"))), None, 96, 64)[None]
    assert float(model(x, training=False).numpy().ravel()[0]) == pytest.approx(guess.p_women, abs=2e-2)

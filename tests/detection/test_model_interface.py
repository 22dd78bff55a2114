"""Every run-time model answers the same way: built from its manifest entry, asked with predict, typed results."""

import importlib
import inspect
import pkgutil

import numpy as np
from PIL import Image

import detection.models
from detection.boxes import Box
from detection.models.embedder import embedder
from detection.models.garment_names import GarmentReading, garment_namer
from detection.models.garments import garment_detector
from detection.models.pose import person_detector
from detection.registry import REGISTRY

# Not ways to ask a photo: the network on prepared batches (training's evaluations), a choice among
# predict's outputs, and the classes a detector was trained with.
HELPERS = {"embed_batch", "probabilities", "best_within", "thumbnail", "garment_classes"}


def wrapper_classes() -> dict[str, type]:
    """The class each model registered in detection/models loads, by registry name."""
    for module in pkgutil.iter_modules(detection.models.__path__):
        importlib.import_module(f"detection.models.{module.name}")
    return {
        name: model._load.__self__
        for name, model in REGISTRY.items()
        if model._load.__self__.__module__.startswith("detection.models.")
    }


def test_every_model_in_the_folder_is_built_from_its_entry_and_asked_with_predict_only():
    classes = wrapper_classes()

    assert len(classes) == 13  # eleven modules; pose and face_gender hold two models each
    for name, cls in classes.items():
        assert inspect.ismethod(cls.from_entry), name
        params = list(inspect.signature(cls.predict).parameters)
        assert params[:2] == ["self", "image"] or params[:2] == ["self", "photos"], (name, params)
        public = {m for m, _ in inspect.getmembers(cls) if not m.startswith("_")}
        # predict is the one way to ask; the rest is the batch training evaluates, or reads predict's outputs
        assert public <= {"from_entry", "predict", *HELPERS}, (name, public - {"from_entry", "predict"})


def test_predict_gives_typed_results_on_a_real_model_run():
    photo = Image.new("RGB", (320, 480), (200, 190, 180))

    boxes = garment_detector().predict(photo)
    reading = garment_namer().predict(photo, (40, 40, 280, 300), "topwear")
    vector = embedder().predict(photo, (40, 40, 280, 300))

    assert all(isinstance(b, Box) for b in boxes)
    assert isinstance(reading, GarmentReading) and reading.classes.shape == (1000,)
    assert reading.guess is not None and reading.guess.article_type in {"tshirt", "shirt", "hoodie", "jacket", "dress"}
    assert vector.ndim == 1 and abs(np.linalg.norm(vector) - 1) < 1e-3
    assert person_detector().predict(photo) == []  # a blank photo has nobody in it

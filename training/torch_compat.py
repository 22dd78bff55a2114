"""Make torchvision importable on the CPU build of torch.

PyPI's torchvision wheel is a CUDA build; on the CPU torch its compiled ops fail to load and
`import torchvision` dies with "operator torchvision::nms does not exist". ultralytics needs only
nms, so when (and only when) the compiled ops are missing we register a pure-torch CPU kernel.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import torch

logger = logging.getLogger(__name__)
_library: torch.library.Library | None = None  # kept alive: the registration lives as long as it


def nms_reference(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy non-maximum suppression; indices of kept boxes, highest score first."""
    order = scores.argsort(descending=True)
    boxes = boxes[order].float()
    areas = (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)
    keep = []
    alive = torch.ones(len(order), dtype=torch.bool)
    for i in range(len(order)):
        if not alive[i]:
            continue
        keep.append(i)
        rest = alive.nonzero().squeeze(1)
        rest = rest[rest > i]
        if len(rest) == 0:
            break
        lt = torch.maximum(boxes[i, :2], boxes[rest, :2])
        rb = torch.minimum(boxes[i, 2:], boxes[rest, 2:])
        inter = (rb - lt).clamp(min=0).prod(dim=1)
        iou = inter / (areas[i] + areas[rest] - inter + 1e-9)
        alive[rest[iou > iou_threshold]] = False
    return order[torch.tensor(keep, dtype=torch.long)]


def _compiled_ops_load() -> bool:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    for lib in Path(next(iter(spec.submodule_search_locations))).glob("_C*.so"):
        try:
            torch.ops.load_library(str(lib))
            return True
        except (OSError, RuntimeError):
            return False
    return False


def ensure_torchvision_ops() -> None:
    """Call before anything imports torchvision; does nothing when its compiled ops work."""
    global _library
    if _library is not None or _compiled_ops_load():
        return
    _library = torch.library.Library("torchvision", "DEF")
    _library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _library.impl("nms", nms_reference, "CPU")
    # torchvision registers fake kernels for qnms at import, so the op must exist (it stays unusable).
    _library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision.extension

    # torchvision.ops.nms asserts that the compiled extension loaded; ours now stands in for it.
    torchvision.extension._has_ops = lambda: True
    logger.info("torchvision's compiled ops are missing (CUDA wheel on CPU torch): using a pure-torch nms")

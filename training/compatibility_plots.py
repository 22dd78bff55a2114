"""Pictures of the compatibility evaluation: fill-in-the-blank questions as a shopper would see them, and the scores."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw

from .compatibility_eval import Question
from .outfits import Products


def plot_fitb_examples(
    questions: list[Question],
    model_scores: np.ndarray,  # questions x candidates
    baseline_scores: np.ndarray,
    products: Products,
    photo_of: dict[str, Path],
    path: Path,
) -> Path:
    """One row per question: the scene with the missing garment greyed out, then the four candidates'
    front photos; the worn one framed green, the model's pick marked, the baseline's pick noted."""
    rows = len(questions)
    fig, axes = plt.subplots(rows, 5, figsize=(10, 2.3 * rows), squeeze=False)
    for r, (question, ours, theirs) in enumerate(zip(questions, model_scores, baseline_scores, strict=True)):
        ax = axes[r][0]
        with Image.open(question.outfit.photo) as scene:
            ax.imshow(_hidden(scene.convert("RGB"), question.outfit.garments[question.missing].box))
        ax.set_title(f"missing: {question.category}", fontsize=8)
        for c, product in enumerate(question.candidates):
            ax = axes[r][c + 1]
            with Image.open(photo_of[products.ids[product]]) as img:
                ax.imshow(img.convert("RGB"))
            marks = []
            if c == int(np.argmax(ours)):
                marks.append("model")
            if c == int(np.argmax(theirs)):
                marks.append("similarity")
            ax.set_title(f"{ours[c]:+.2f}" + (f"  ← {', '.join(marks)}" if marks else ""), fontsize=7)
            colour = "#2a9d3a" if c == 0 else "#cccccc"
            for spine in ax.spines.values():
                spine.set_edgecolor(colour)
                spine.set_linewidth(3 if c == 0 else 1)
        for ax in axes[r]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(
        "Fill in the blank on held-out outfits: three the model gets right, three it gets wrong\n"
        "(the missing garment greyed out; green: the one worn; titles: model score)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _hidden(scene: Image.Image, box: tuple[float, float, float, float] | None) -> Image.Image:
    """The scene with the missing garment greyed out, as the model is asked it (it never sees that crop)."""
    if box is not None:
        w, h = scene.size
        ImageDraw.Draw(scene).rectangle([box[0] * w, box[1] * h, box[2] * w, box[3] * h], fill=(160, 160, 160))
    return scene


def plot_compatibility_scores(ours: dict, baseline: dict, path: Path) -> Path:
    """FITB accuracy and AUC, ours beside the similarity baseline, over all questions and by group."""
    groups = [g for g in ("all", "topwear", "bottomwear", "footwear", "styled", "random") if g in ours]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    x = np.arange(len(groups))
    for ax, metric, chance, target, title in (
        (axes[0], "fitb", 0.25, 0.60, "fill in the blank (4 candidates)"),
        (axes[1], "auc", 0.5, 0.75, "AUC"),
    ):
        ax.bar(x - 0.2, [ours[g][metric] for g in groups], 0.4, label="compatibility model")
        ax.bar(x + 0.2, [baseline[g][metric] for g in groups], 0.4, label="visual similarity")
        ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
        ax.axhline(target, color="#c0392b", linestyle=":", linewidth=1.2, label="target (all outfits)")
        ax.set_xticks(x, groups)
        ax.set(ylim=(0, 1), title=title)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle("Complete the look on held-out outfits")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

"""Plots for the model reports: detector PR curves, training curves, confusion matrices, quantisation."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from .detection_metrics import ImageResult, average_precision, pr_curve


def plot_pr_curves(results: list[ImageResult], labels: tuple[str, ...], path: Path, iou: float = 0.5) -> Path:
    fig, ax = plt.subplots(figsize=(6, 5))
    for label in labels:
        recall, precision, n_true = pr_curve(results, label, iou)
        if n_true:
            ax.plot(recall, precision, label=f"{label} (AP {average_precision(recall, precision):.3f})")
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02), title=f"Detector PR curves, IoU {iou}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_ultralytics_curves(results_csv: Path, path: Path) -> Path | None:
    """Losses and validation mAP per epoch from an ultralytics results.csv."""
    if not results_csv.exists():
        return None
    with results_csv.open() as fh:
        rows = [{k.strip(): float(v) for k, v in row.items() if v.strip()} for row in csv.DictReader(fh)]
    if not rows:
        return None
    epochs = [r["epoch"] for r in rows]
    fig, (loss_ax, map_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for key in ("train/box_loss", "train/cls_loss", "train/dfl_loss", "val/box_loss", "val/cls_loss"):
        if key in rows[0]:
            loss_ax.plot(epochs, [r[key] for r in rows], label=key)
    loss_ax.set(xlabel="epoch", ylabel="loss", title="Detector losses")
    loss_ax.legend()
    for key in ("metrics/mAP50(B)", "metrics/mAP50-95(B)"):
        if key in rows[0]:
            map_ax.plot(epochs, [r[key] for r in rows], label=key.split("/")[1])
    map_ax.set(xlabel="epoch", ylabel="mAP (val split)", ylim=(0, 1), title="Detector validation mAP")
    map_ax.legend()
    for ax in (loss_ax, map_ax):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_confusion(matrix: list[list[int]], labels: tuple[str, ...], path: Path, title: str) -> Path:
    side = max(4.2, 0.6 * len(labels) + 2)  # room for a dozen classes as for two
    fig, ax = plt.subplots(figsize=(side, side * 0.9))
    ax.imshow(matrix, cmap="Blues")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=13 if len(labels) < 6 else 8)
    ax.set_xticks(
        range(len(labels)), labels, rotation=45 if len(labels) > 5 else 0, ha="right" if len(labels) > 5 else "center"
    )
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_history(
    history: list[dict], path: Path, title: str, metric: str = "val_accuracy", label: str = "validation accuracy"
) -> Path:
    """Loss and a validation metric per epoch from a list of {epoch, loss, <metric>[, phase]}."""
    steps = list(range(1, len(history) + 1))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, [h["loss"] for h in history], "o-", label="training loss")
    if any(metric in h for h in history):
        ax.plot(steps, [h.get(metric, float("nan")) for h in history], "s-", label=label)
    for i, h in enumerate(history[1:], start=1):
        if h.get("phase") != history[i - 1].get("phase"):
            ax.axvline(i + 0.5, color="grey", ls="--", lw=1)
            ax.text(i + 0.6, 0.05, h["phase"], color="grey")
    ax.set(xlabel="epoch", ylim=(0, max(1.05, max(h["loss"] for h in history))), title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_quantization(summary: dict[str, dict], path: Path) -> Path:
    kinds = list(summary)
    panels = (("size (MB)", "megabytes"), ("latency per crop (ms)", "latency_ms"), ("Recall@10", "recall@10"))
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, (title, key) in zip(axes, panels, strict=True):
        values = [summary[k][key] for k in kinds]
        bars = ax.bar(kinds, values, color=["#4c72b0", "#dd8452"][: len(kinds)])
        ax.bar_label(bars, fmt="%.3g")
        ax.set_title(title)
        if key == "recall@10":
            ax.set_ylim(0, 1.05)
    fig.suptitle("Embedder: float32 vs float16 TFLite")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_recall_latency(rows: list[dict], path: Path, title: str) -> Path:
    """Recall@10 against p50 latency, one line per index backend, each point one search effort."""
    fig, ax = plt.subplots(figsize=(7, 5))
    backends = list(dict.fromkeys(r["backend"] for r in rows))
    for backend in backends:
        points = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["p50_ms"])
        xs, ys = [r["p50_ms"] for r in points], [r["recall_at_10"] for r in points]
        ax.plot(xs, ys, marker="o", label=backend)
        for r in points:
            if r["effort"] is not None:
                ax.annotate(
                    str(r["effort"]),
                    (r["p50_ms"], r["recall_at_10"]),
                    fontsize=7,
                    xytext=(3, -9),
                    textcoords="offset points",
                )
    ax.axhline(0.95, color="grey", lw=0.8, ls="--")
    ax.set(
        xscale="log",
        xlabel="p50 latency of a partition-filtered top-10 (ms, log)",
        ylabel="recall@10 vs exact",
        title=title,
    )
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_k_sweep(
    curves: dict[str, tuple[list[int], list[float], list[float], int, int]], path: Path, title: str
) -> Path:
    """SSE (the elbow) and silhouette against k for each feature backbone; markers at the elbow and the chosen k."""
    fig, (sse_ax, sil_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for name, (ks, sse, sil, elbow, chosen) in curves.items():
        scale = sse[0] or 1.0
        (line,) = sse_ax.plot(ks, [v / scale for v in sse], marker="o", ms=3, label=name)
        sse_ax.plot([elbow], [sse[ks.index(elbow)] / scale], "s", color=line.get_color(), ms=9, mfc="none")
        sil_ax.plot(ks, sil, marker="o", ms=3, color=line.get_color(), label=f"{name} (k = {chosen})")
        sil_ax.plot([chosen], [sil[ks.index(chosen)]], "*", color=line.get_color(), ms=12)
    sse_ax.set(xlabel="k", ylabel="SSE / SSE at k=2", title="elbow (square: the bend)")
    sil_ax.set(xlabel="k", ylabel="mean silhouette", title="silhouette (star: chosen k)")
    for ax in (sse_ax, sil_ax):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_accuracy_curves(histories: dict[str, list[dict]], chosen: dict[str, int], path: Path, title: str) -> Path:
    """Training and validation accuracy per epoch, one panel per model; a line at the epoch kept."""
    fig, axes = plt.subplots(1, len(histories), figsize=(3.6 * len(histories), 3.6), squeeze=False, sharey=True)
    for ax, (name, history) in zip(axes[0], histories.items(), strict=True):
        epochs = [h["epoch"] for h in history]
        ax.plot(epochs, [h["accuracy"] for h in history], "-", label="training")
        ax.plot(epochs, [h["val_accuracy"] for h in history], "o-", ms=3, label="validation")
        ax.axvline(chosen[name], color="grey", ls="--", lw=1)
        ax.set(title=f"{name} (kept: epoch {chosen[name]})", xlabel="epoch", ylim=(0.7, 1.0))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("accuracy")
    axes[0][0].legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""The quantisation summary plot: file size, latency and retrieval quality of fp32 vs fp16."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


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

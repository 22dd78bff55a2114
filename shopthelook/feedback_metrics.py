"""What staff feedback says about the recommendations: precision@k, mAP@k and the relevance score."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import TruncWeek

from embeddings.metrics import EXACT_GAIN, STYLE_GAIN, judged_ranking_metrics, relevance_score

from .models import Feedback


@dataclass(frozen=True)
class FeedbackSummary:
    group: str
    items: int
    judgements: int
    precision: float
    map: float
    relevance: float


def _gain(votes: list[tuple[bool, str]]) -> float:
    """Reviewers' votes on one recommendation, by majority; "same product" votes make it exact."""
    up = [reason for relevant, reason in votes if relevant]
    if len(up) * 2 < len(votes) or not up:
        return 0.0
    return EXACT_GAIN if up.count(Feedback.Reason.EXACT) * 2 >= len(up) else STYLE_GAIN


def summarise(k: int = 10, by: str = "category") -> list[FeedbackSummary]:
    """One row per category (by="category") or per week (by="week"), and an "all" row first."""
    rows = Feedback.objects.select_related("recommendation__item__look").annotate(week=TruncWeek("created"))
    votes: dict[int, dict[int, list[tuple[bool, str]]]] = defaultdict(lambda: defaultdict(list))
    group_of: dict[int, str] = {}
    for fb in rows.iterator():
        rec = fb.recommendation
        votes[rec.item_id][rec.rank].append((fb.relevant, fb.reason))
        group_of[rec.item_id] = rec.item.category if by == "category" else fb.week.date().isoformat()
    per_group: dict[str, list[tuple[dict, float, int]]] = defaultdict(list)
    for item_id, by_rank in votes.items():
        gains = [_gain(by_rank[rank]) for rank in sorted(by_rank)]
        judged = judged_ranking_metrics([g > 0 for g in gains], k)
        entry = (judged, relevance_score(gains, k), len(gains))
        per_group[group_of[item_id]].append(entry)
        per_group["all"].append(entry)
    summaries = []
    for group in ["all", *sorted(g for g in per_group if g != "all")]:
        entries = per_group.get(group)
        if not entries:
            continue
        n = len(entries)
        summaries.append(
            FeedbackSummary(
                group=group,
                items=n,
                judgements=sum(e[2] for e in entries),
                precision=sum(e[0]["precision"] for e in entries) / n,
                map=sum(e[0]["ap"] for e in entries) / n,
                relevance=sum(e[1] for e in entries) / n,
            )
        )
    return summaries

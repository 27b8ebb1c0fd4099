"""The security and redaction figures on the real-source corpus (tests/corpus), both splits.

Through the default pipeline, as `logpipe test` runs it. `tune` is what the rules were tuned
on; `holdout` was not looked at while tuning. Figures: python tests/corpus/evaluate.py.
"""

from __future__ import annotations

import pytest

from tests.corpus.evaluate import redaction_figures, security_figures

RECALL_FLOOR = {"tune": 0.97, "holdout": 0.96}


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_attack_recall_per_category_and_false_positives(split: str) -> None:
    figures = security_figures(split)
    assert len(figures["recall"]) == 6
    low = {c: r for c, r in figures["recall"].items() if r < RECALL_FLOOR[split]}
    assert not low, low
    assert len(figures["false_positives"]) / figures["benign"] <= 0.005


def test_all_attack_recall_at_least_97_percent_per_category() -> None:
    figures = security_figures("all")
    assert min(figures["recall"].values()) >= 0.97, figures["recall"]


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_no_secret_leaks_and_benign_values_kept(split: str) -> None:
    figures = redaction_figures(split)
    assert figures["leaks"] == []
    assert len(figures["lost"]) / figures["benign"] <= 0.01


def test_worker_log_masking_leaks_no_planted_secret() -> None:
    from logpipe.logs import mask
    from tests.corpus.evaluate import records

    rows = records("secrets/secrets*.jsonl")
    assert [r["kind"] for r in rows if r["secret"] in mask(r["line"])] == []
    benign = records("secrets/benign*.jsonl")
    assert [r["kind"] for r in benign if r["value"] not in mask(r["line"])] == []

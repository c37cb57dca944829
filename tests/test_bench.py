"""`make bench` (bench/run.py): the side-by-side table and its targets with made-up figures, newsbot's parts on a
small corpus with the fake encoder, and (slow) a whole tiny run with the real model and no txtai venv. Nothing
here asserts a timing: the figures are only checked to be there and positive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import (
    TARGETS,
    _questions,
    format_table,
    main,
    paired_ratios,
    part_answer_newsbot,
    part_index_newsbot,
    ratio,
    reader_share,
    rotated,
    run_scale,
    target_met,
)

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = FIXTURES / "news_docs.jsonl"
QUESTIONS = FIXTURES / "news_questions.jsonl"

FIGURES = {
    "newsbot": {"p50": 14.0, "p50_plain": 10.0, "p95": 20.0, "serial_aps": 90.0, "batch_aps": 250.0,
                "batch_aps_plain": 300.0, "cold_s": 1.0, "index_sps_1t": 150.0, "index_sps": 200.0,
                "answer_rss": 200.0, "index_rss": 900.0},
    "txtai": {"p50": 25.0, "p95": 30.0, "serial_aps": 40.0, "batch_aps": 100.0, "cold_s": 5.0,
              "index_sps_1t": 100.0, "index_sps": 150.0, "answer_rss": 500.0, "index_rss": 600.0},
    "txtai_ids": {"p50": 24.0, "p95": 29.0, "serial_aps": 41.0, "batch_aps": 110.0, "cold_s": 5.0,
                  "index_sps_1t": 105.0, "index_sps": 155.0, "answer_rss": 480.0, "index_rss": 590.0},
    "floor": {"p50": 9.0, "p95": 12.0, "serial_aps": 100.0, "batch_aps": 400.0, "cold_s": 8.0,
              "index_sps_1t": 90.0, "index_sps": 120.0, "answer_rss": 600.0, "index_rss": 700.0},
}


def _row(table: str, label: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_ratios_and_targets_follow_issue_24() -> None:
    assert ratio(10.0, 25.0) == pytest.approx(0.4)
    assert ratio(10.0, None) is None and ratio(None, 3.0) is None and ratio(1.0, 0.0) is None
    assert target_met("p50_plain", 0.5) is True and target_met("p50_plain", 0.51) is False
    assert target_met("batch_aps_plain", 1.5) is True and target_met("batch_aps_plain", 1.49) is False
    assert target_met("cold_s", 0.15) is True and target_met("cold_s", 0.2) is False
    assert target_met("index_sps_1t", 2.0) is True and target_met("index_sps_1t", 1.9) is False
    assert target_met("answer_rss", 0.6) is True and target_met("answer_rss", 0.61) is False
    assert target_met("p95", 9.0) is None and target_met("p50_plain", None) is None
    # the warm target is the answer without the reader; indexing's is one thread each
    assert set(TARGETS) == {"p50_plain", "batch_aps_plain", "cold_s", "index_sps_1t", "answer_rss"}


def test_the_table_shows_each_side_the_ratio_and_whether_the_target_is_met() -> None:
    table = format_table(FIGURES)
    assert table.splitlines()[0] == ("| figure | newsbot | txtai 9.14 hybrid (content on) | txtai (ids only) | "
                                     "floor (newsbot's ONNX + FAISS) | newsbot / txtai | target | met |")
    assert _row(table, "warm answer, median (ms)") == ["warm answer, median (ms)", "14.0", "25.0", "24.0", "9.0",
                                                       "0.56×", "", ""]
    # without the reader, newsbot is compared with txtai's (plain) answer
    assert _row(table, "warm answer without the reader, median (ms)")[1:] == ["10.0", "—", "—", "—", "0.40×",
                                                                              "≤ 0.5×", "yes"]
    assert _row(table, "answers a second, batched")[5:] == ["2.50×", "", ""]
    assert _row(table, "answers a second, batched, without the reader")[5:] == ["3.00×", "≥ 1.5×", "yes"]
    assert _row(table, "cold start to first answer (s)")[5:] == ["0.20×", "≤ 0.15×", "no"]
    assert _row(table, "sentences indexed a second, one thread")[5:] == ["1.50×", "≥ 2×", "no"]
    assert _row(table, "sentences indexed a second, every core")[5:] == ["1.33×", "", ""]
    assert _row(table, "peak memory while answering (MB)")[5:] == ["0.40×", "≤ 0.6×", "yes"]
    assert _row(table, "peak memory while indexing (MB)")[5:] == ["1.50×", "", ""]


def test_repeats_show_their_spread_and_ratios_are_paired_repeat_by_repeat() -> None:
    """Each side's median with its lowest-highest; the ratio of each repeat's own figures, not of the medians."""
    figures = {"newsbot": {"p50_plain": [10.0, 30.0, 12.0]}, "txtai": {"p50": [20.0, 60.0, 20.0]}}
    assert paired_ratios([10.0, 30.0, 12.0], [20.0, 60.0, 20.0]) == [0.5, 0.5, 0.6]
    row = _row(format_table(figures), "warm answer without the reader, median (ms)")
    # medians of the ratios: 0.50 (the ratio of the medians, 12 / 20, would say 0.60)
    assert row[1] == "12.0 (10.0-30.0)" and row[2] == "—" and row[5:] == ["0.50× (0.50-0.60)", "≤ 0.5×", "yes"]
    assert _row(format_table({"txtai": {"p50": [20.0, 60.0, 20.0]}}), "warm answer, median (ms)")[2] == \
        "20.0 (20.0-60.0)"
    # the sides' order rotates from repeat to repeat, so a busy moment falls on each side in turn
    assert [rotated(["a", "b", "c"], r) for r in range(4)] == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"],
                                                                ["a", "b", "c"]]
    assert reader_share({"p50": [14.0, 16.0], "p50_plain": [10.0, 12.0]}) == (
        "the reader (NEWSBOT_READER on against off, same process): +4.0 ms (+4.0-+4.0) a warm answer at the median, "
        "27 % (25-29) of it"
    )


def test_the_table_says_when_txtai_is_missing_or_newsbot_cannot_batch() -> None:
    figures = {"newsbot": FIGURES["newsbot"], "floor": FIGURES["floor"]}
    table = format_table(figures, txtai_note="not run: its virtualenv is missing", batched=False)
    assert _row(table, "warm answer without the reader, median (ms)")[2:] == ["—", "—", "—", "—", "≤ 0.5×", "—"]
    assert _row(table, "answers a second, batched")[1] == "n/a (serial 250.0)"
    assert table.endswith("txtai: not run: its virtualenv is missing")
    # with txtai there, a serial loop still gives no batched ratio
    assert _row(format_table(FIGURES, batched=False), "answers a second, batched, without the reader")[5:] == [
        "—", "≥ 1.5×", "—"]


def test_newsbots_parts_index_and_answer_a_small_corpus(tmp_path: Path, fake_encoder) -> None:
    data = tmp_path / "data"
    indexed = part_index_newsbot(DOCS, data, encoder=fake_encoder)
    assert indexed["sentences"] > 0 and indexed["seconds"] > 0 and indexed["rss_mb"] > 0
    questions = _questions(QUESTIONS, 3)
    assert len(questions) == 3
    answered = part_answer_newsbot(data, questions, encoder=fake_encoder)
    assert len(answered["times_ms"]) == 3 and answered["rss_mb"] > 0
    assert len(answered["plain_ms"]) == 3  # each question answered without the reader too
    # answers when the engine has it; else the bench marks the batched row n/a
    assert answered["batched"] == (answered["batch_s"] is not None)


@pytest.mark.slow
def test_a_tiny_run_prints_the_table_without_txtai(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--docs", str(DOCS), "--questions", str(QUESTIONS), "--limit-docs", "3", "--questions-n", "2",
                 "--repeats", "1", "--txtai-venv", str(tmp_path / "no-venv")]) == 0
    out = capsys.readouterr().out
    assert "| warm answer, median (ms) |" in out
    assert "txtai: not run: its virtualenv" in out
    assert "load average (1 min)" in out and "the reader (NEWSBOT_READER on against off" in out
    newsbot, txtai, _ids, floor = _row(out, "cold start to first answer (s)")[1:5]
    assert txtai == "—" and float(newsbot) > 0 and float(floor) > 0


def test_the_scale_section_runs_bench_scale_when_it_is_there(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.run

    monkeypatch.setattr(bench.run, "ROOT", tmp_path)
    assert "bench/scale.py is not there yet" in run_scale(None)
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "__init__.py").write_text("")
    (tmp_path / "bench" / "scale.py").write_text(
        "import sys\nprint('| vectors | ms |')\nprint('|---|---:|')\nprint('| ' + sys.argv[-1] + ' | 1.0 |')\n"
    )
    assert run_scale("100000").splitlines() == ["| vectors | ms |", "|---|---:|", "| 100000 | 1.0 |"]


def test_bench_scale_says_when_its_vectors_are_synthetic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without its .npy files and told not to build them, bench.scale measures on stand-ins and says so loudly."""
    import numpy as np

    from bench.scale import real_vectors

    base, qs, origin = real_vectors(tmp_path / "s.npy", tmp_path / "q.npy", np.random.default_rng(0), build=False)
    assert origin.startswith("SYNTHETIC") and "SYNTHETIC" in capsys.readouterr().err
    np.save(tmp_path / "s.npy", base[:10])
    np.save(tmp_path / "q.npy", qs[:3])
    assert real_vectors(tmp_path / "s.npy", tmp_path / "q.npy", np.random.default_rng(0))[2].startswith("real")


def test_same_answers_counts_what_moved_question_by_question(tmp_path: Path) -> None:
    from bench.same_answers import differences, main

    row = {"q": "q1", "no": False, "ids": [1, 2], "scores": [0.5, 0.4], "reported_by": [["a"], ["b"]],
           "also_in": [[], []]}
    moved = {**row, "ids": [2, 1], "reported_by": [["b"], ["a"]]}
    assert differences([row], [row]) == {"questions": 1, "nothing_relevant": 0, "first_hit": 0, "hits": 0,
                                         "scores": 0, "reported_by": 0, "also_in": 0}
    assert differences([row], [moved])["first_hit"] == differences([row], [moved])["reported_by"] == 1
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    before.write_text(json.dumps(row) + "\n")
    after.write_text(json.dumps(row) + "\n")
    assert main(["compare", str(before), str(after)]) == 0
    after.write_text(json.dumps(moved) + "\n")
    assert main(["compare", str(before), str(after)]) == 1

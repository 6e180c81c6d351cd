"""`make bench` on a small data set: every target measured, the table written.

The figures themselves belong to the benchmark (bench/results.md), not to a test;
this checks that the command runs from seeding to the table and measures what it
says it does."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from ocmw.management.commands import bench

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bench_measures_every_target_and_writes_its_table(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "OUT", tmp_path)
    out = io.StringIO()
    call_command("bench", clients=300, requests=2, stdout=out)
    results = json.loads((tmp_path / "results.json").read_text())
    pages = {page["key"]: page for page in results["pages"]}
    for key in ("caseload", "client_file", "search_insz", "search_fuzzy", "team_overview",
                "team_cases", "analytics", "gpmi_statistics", "tasks", "api_clients",
                "api_trajectories", "api_contacts", "api_gpmis", "api_enrolments"):  # fmt: skip
        page = pages[key]
        assert page["status"] == 200, key
        assert page["requests"] == 2 and page["p95_ms"] >= page["p50_ms"] > 0, key
        assert page["queries"] > 0 and page["sql_total_ms"] > 0, key
    # 300 clients make no 1,000th page: said so, not measured.
    assert pages["team_cases_1000"].get("missing")
    assert results["scan"]["seconds"] >= 0 and results["scan"]["created"] >= 0
    assert results["pdf"]["signed"]["median_ms"] > 0
    export = results["export"]
    assert export["streaming"] and export["rows"] > 0
    table = (tmp_path / "results.md").read_text()
    assert "| Caseload |" in table and "| Team case list, page 1,000 | – |" in table
    assert "CSV export" in table and "reminders scan" in table

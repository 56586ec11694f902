"""The benchmark harness still runs (issue 8): the smallest size, into a temporary report.

Not part of the test suite (pytest collects tests/ only): `bin/test` runs it as a separate step
after the suite, `bin/test-benchmarks` on its own. No timing assertions: the numbers of a smoke run
mean nothing; only that every measurement ran and every section of the report was written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_small_run_writes_every_section(tmp_path):
    from benchmarks.report import SECTIONS

    out = tmp_path / "RESULTS.md"
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--size", "small", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.exists(), run.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert run.returncode == 0, run.stderr[-3000:] + "\n" + text[-3000:]
    for heading in SECTIONS:
        assert heading in text, heading
    assert "ERROR" not in text
    assert "not run" not in text
    # each measurement produced its table
    for row in ("| shipped (", "| 200 (200 req.)", "| 1000 (1000 req.)", "assess to JSON, 200 products",
                "catalogue fill (Catalogue.save)", "| Method |", "`catalogue-statistics`", "| 8 |", "| 32 |",
                "reason (reason.infer)"):
        assert row in text, row
    targets = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"\*\*(met|missed)\*\*", targets)) >= 10

"""Data-driven rule tests: every file in tests/cases/ is a product with its expected outcome."""

from pathlib import Path

import pytest

from kravbib.cases import load_cases, mismatches

CASES = load_cases(Path(__file__).parent / "cases")


def test_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("path,case", CASES, ids=[p.stem for p, _ in CASES])
def test_case(path, case, rs):
    assert case["source"].get("title"), f"{path.name} must cite where the example comes from"
    assert mismatches(case, rs) == []


def _all_expected_rules():
    return {rule for _, case in CASES for rule in case["expected"].get("rules", [])}


def test_every_classification_branch_is_covered(rs):
    """Each qualification step, Rule 11 branch and implementing rule has at least one case."""
    needed = {"MDCG-S1-NOT-SOFTWARE", "MDCG-S2-DRIVES", "MDCG-S2-ACCESSORY", "MDCG-S3-DATA-ONLY",
              "MDCG-S4-NOT-INDIVIDUAL", "MDCG-S5-NO-MEDICAL-PURPOSE", "MDCG-S5-MDSW", "MDCG-B1-MDR",
              "MDCG-B2-IVDR", "MDCG-B3-IVDR", "MDCG-B3-MDR", "MDR-R11-A-III", "MDR-R11-A-IIB", "MDR-R11-A-IIA",
              "MDR-R11-B-IIB", "MDR-R11-B-IIA", "MDR-R11-C-I", "MDR-IR-3-3", "MDR-IR-3-5", "MDR-R15", "MDR-R22",
              "IVDR-R1-D", "IVDR-R3-C", "IVDR-R6-B", "AIA-ART6-1-HIGH", "AIA-ART6-1-NOT"}
    assert needed - _all_expected_rules() == set()


def test_every_rule_is_exercised_by_some_case(rs):
    """A rule no case ever fires is untested: each rule must fire for at least one case."""
    import json

    from kravbib.assess import assess_text

    fired = set()
    for _, case in CASES:
        a = assess_text(json.dumps(case["product"]), rs)
        fired |= {rs.rule_info[d.rule].id for d in a.derivations}
    never = sorted({info.id for info in rs.rule_info.values()} - fired)
    assert never == []

"""Where the shipped ruleset lives: inside the installed wheel, or at the top of a checkout."""

from pathlib import Path

FOLDERS = ("ontology", "rules", "shapes", "queries")


def default_ruleset_dir() -> Path:
    """The folder holding ontology/, rules/, shapes/ and queries/."""
    packaged = Path(__file__).parent / "ruleset"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent

"""The Turtle folders ship inside the built wheel, and the installed package finds them there."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_ruleset_and_uses_it(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("kravbib-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "rules", "shapes"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        assert {f"kravbib/ruleset/{p}" for p in shipped} <= names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    script = ("import json, kravbib.paths as p, kravbib.ruleset as r, kravbib.assess as a;"
              "print(json.dumps([str(p.default_ruleset_dir()), "
              f"a.assess_text(open('{ROOT / 'examples' / 'wellness-app.json'}').read(), r.get()).to_json()['qualification']['status']]))")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"}, check=True)
    where, status = json.loads(out.stdout)
    assert where.startswith(str(unpacked))
    assert status == "not_medical_device"

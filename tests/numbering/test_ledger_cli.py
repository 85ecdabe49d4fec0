"""`thads ledger verify` against a real database."""
import os
import subprocess
import sys

from tests.conftest import ROOT


def run_verify(url):
    env = dict(os.environ, NUMBERING_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "ledger", "verify"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_verify_reports_intact_then_broken(make_database, sql):
    url = make_database("numbering")
    from services.numbering import series as ops
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(url)
    for i in range(3):
        with Session(engine) as session, session.begin():
            ops.allocate(session, "01", "QD", 2027, f"r{i}",
                         {"op": "allocate", "unit": "01", "kind": "QD",
                          "issued_at": "x"})
    engine.dispose()

    intact = run_verify(url)
    assert intact.returncode == 0, intact.stderr
    assert "ledger intact" in intact.stdout

    sql(url, "DELETE FROM ledger WHERE position = 2")
    broken = run_verify(url)
    assert broken.returncode == 1
    assert "position 3" in broken.stdout

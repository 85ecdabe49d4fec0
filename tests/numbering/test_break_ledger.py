"""`thads ledger verify` on chains tampered in ways the chain alone hides."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.numbering import series as ops
from tests.conftest import ROOT


def run_verify(url):
    env = dict(os.environ, NUMBERING_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "ledger", "verify"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def allocate_arguments(unit):
    return {"op": "allocate", "unit": unit, "kind": "QD",
            "issued_at": "2026-10-05T09:00:00+07:00"}


@pytest.fixture
def ledger_url(make_database):
    """A numbering database with 3 allocations in unit 01 and 2 in unit 79."""
    url = make_database("numbering")
    engine = create_engine(url)
    for unit, count in (("01", 3), ("79", 2)):
        for i in range(count):
            with Session(engine) as session, session.begin():
                ops.allocate(session, unit, "QD", 2027, f"{unit}-r{i}",
                             allocate_arguments(unit))
    engine.dispose()
    intact = run_verify(url)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    return url


# Defects: each test below fails on the current service code.

def test_verify_detects_deleted_last_entry(ledger_url, sql):
    # The series row still stores ledger_length 3 and the hash of entry 3,
    # so verify can detect the deletion.
    sql(ledger_url, "DELETE FROM ledger WHERE unit = '01' AND position = 3")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1
    assert "01/QD/2027" in broken.stdout


def test_verify_detects_deleted_series_chain(ledger_url, sql):
    sql(ledger_url, "DELETE FROM ledger WHERE unit = '79'")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1
    assert "79/QD/2027" in broken.stdout


def test_verify_detects_deleted_number_row(ledger_url, sql):
    # With the row of allocated number 2 gone, claim(2) succeeds and the
    # number is issued twice although the ledger records its allocation.
    sql(ledger_url, "DELETE FROM numbers WHERE unit = '01' AND number = 2")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1


# Behaviour that held when this file was written.

def test_verify_detects_swapped_entries(ledger_url, sql):
    sql(ledger_url, "UPDATE ledger SET position = -position "
                    "WHERE unit = '01' AND position IN (2, 3)")
    sql(ledger_url, "UPDATE ledger SET position = 5 + position "
                    "WHERE unit = '01' AND position < 0")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1
    assert "position 2" in broken.stdout


def test_verify_detects_deleted_first_entry(ledger_url, sql):
    sql(ledger_url, "DELETE FROM ledger WHERE unit = '79' AND position = 1")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1
    assert "79/QD/2027" in broken.stdout


def test_verify_detects_rewritten_reason(ledger_url, sql):
    sql(ledger_url, "UPDATE ledger SET reason = 'x' "
                    "WHERE unit = '01' AND position = 2")

    broken = run_verify(ledger_url)

    assert broken.returncode == 1
    assert "position 2" in broken.stdout

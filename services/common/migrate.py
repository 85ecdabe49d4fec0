"""Alembic migrations, one history per service, applied by command.

Each service keeps its migration scripts in `services/<name>/migrations`
and its version table in its own database. `thads migrate` creates the
database when it is missing and then upgrades it to the newest revision.
"""
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.common.config import check_driver

log = logging.getLogger(__name__)

SERVICES_DIR = Path(__file__).resolve().parent.parent


def alembic_config(service, url):
    config = Config()
    config.set_main_option(
        "script_location", str(SERVICES_DIR / service / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def ensure_database(url):
    """Create the database named in URL if the server does not have it."""
    target = make_url(check_driver(url))
    admin = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                log.info("created database %s", target.database)
    finally:
        admin.dispose()


def upgrade(service, url, revision="head"):
    """Create SERVICE's database if needed and migrate it to REVISION."""
    ensure_database(url)
    command.upgrade(alembic_config(service, url), revision)


def run_env(context, metadata):
    """Body of every service's migrations/env.py: run online migrations."""
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()

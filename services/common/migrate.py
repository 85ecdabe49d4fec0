"""Alembic migrations, one history per service, applied by command.

Each service keeps its migration scripts in `services/<name>/migrations`
and its version table in its own database. `thads migrate` creates the
database when it is missing and then upgrades it to the newest revision.
"""
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.common.config import check_driver

log = logging.getLogger(__name__)

SERVICES_DIR = Path(__file__).resolve().parent.parent
GATEWAY_DIR = SERVICES_DIR.parent / "gateway"


class NotMigrated(RuntimeError):
    """A service's database is missing migrations the code needs."""


def migrations_dir(service):
    base = GATEWAY_DIR if service == "gateway" else SERVICES_DIR / service
    return base / "migrations"


def alembic_config(service, url):
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
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


def check_migrated(service, engine):
    """Raise NotMigrated unless ENGINE's database is at SERVICE's head."""
    script = ScriptDirectory(str(migrations_dir(service)))
    heads = set(script.get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except OperationalError as error:
        raise NotMigrated(
            f"cannot connect to the {service} database: {error.orig}; check "
            f"{service.upper()}_DATABASE_URL") from None
    if current != heads:
        raise NotMigrated(
            f"the {service} database is at revision {sorted(current) or 'none'} "
            f"but the code needs {sorted(heads)}; run `thads migrate {service}`")


def run_env(context, metadata):
    """Body of every service's migrations/env.py: run online migrations."""
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()

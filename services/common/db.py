"""Database access for nameko services.

Each worker gets its own SQLAlchemy session. The entrypoint commits inside
the method, through `transaction()`, because nameko publishes an RPC reply
and acknowledges an event message before a dependency's `worker_result`
runs: a commit made there could fail after the caller received success.
`worker_result` only rolls back what is left uncommitted.
"""
import logging
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from services.common.config import check_driver, database_url_key
from services.common.migrate import NotMigrated, check_migrated

log = logging.getLogger(__name__)


def make_engine(url, pool_size=10):
    """Create an engine on URL whose pool allows twice POOL_SIZE connections."""
    return create_engine(
        check_driver(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        future=True,
    )


class WorkerDatabase:
    """The database handle of one worker: a session and a transaction."""

    def __init__(self, session):
        self.session = session

    @contextmanager
    def transaction(self):
        """Yield the session and commit when the block ends without error."""
        try:
            yield self.session
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise


class Database(DependencyProvider):
    """Give each worker of SERVICE its own session on SERVICE's database.

    The URL comes from the container config key `<SERVICE>_DATABASE_URL`.
    """

    def __init__(self, service):
        self.service = service
        self.engine = None
        self.sessions = WeakKeyDictionary()

    def setup(self):
        key = database_url_key(self.service)
        url = self.container.config.get(key)
        if not url:
            raise KeyError(f"{key} is not set in the service config")
        workers = self.container.config.get("max_workers", 10)
        self.engine = make_engine(url, pool_size=workers)
        try:
            check_migrated(self.service, self.engine)
        except NotMigrated as error:
            log.error("%s", error)
            raise
        self.session_factory = sessionmaker(
            bind=self.engine, expire_on_commit=False
        )

    def get_dependency(self, worker_ctx):
        session = self.session_factory()
        self.sessions[worker_ctx] = session
        return WorkerDatabase(session)

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        session = self.sessions.get(worker_ctx)
        if session is not None and (exc_info or session.in_transaction()):
            session.rollback()

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    kill = stop

"""Fixtures shared by every test: real RabbitMQ and PostgreSQL.

Each test gets its own RabbitMQ virtual host (nameko's `rabbit_config`)
and its own databases, copied from a template that was migrated once per
run, so two runs on one machine never share state, and both are dropped
afterwards.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (nameko hangs without a patched stdlib)

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urljoin  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from services.common.config import database_url_key  # noqa: E402
from services.common.migrate import upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get(
    "THADS_TEST_DATABASE_SERVER", "postgresql+psycopg2://postgres@127.0.0.1:5432"
)
RUN_ID = uuid.uuid4().hex[:8]


def admin_engine():
    return create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")


def drop_database(engine, name):
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_templates():
    """Migrate one template database per service, once per test run."""
    made = {}
    engine = admin_engine()

    def template(service):
        if service not in made:
            name = f"thads_t{RUN_ID}_{service}_tmpl"
            upgrade(service, f"{SERVER}/{name}")
            made[service] = name
        return made[service]

    yield template
    for name in made.values():
        drop_database(engine, name)
    engine.dispose()


@pytest.fixture
def make_database(database_templates):
    """Create a fresh, migrated database for a service; dropped after."""
    engine = admin_engine()
    created = []

    def make(service):
        name = f"thads_t{RUN_ID}_{service}_{uuid.uuid4().hex[:8]}"
        with engine.connect() as conn:
            conn.execute(text(
                f'CREATE DATABASE "{name}" TEMPLATE "{database_templates(service)}"'
            ))
        created.append(name)
        return f"{SERVER}/{name}"

    yield make
    for name in created:
        drop_database(engine, name)
    engine.dispose()


@pytest.fixture
def service_config(rabbit_config, make_database):
    """Build a nameko config for SERVICES on this test's vhost and databases."""

    def build(*services, **extra):
        config = dict(rabbit_config)
        config["max_workers"] = extra.pop("max_workers", 10)
        config["RPC_TIMEOUT"] = extra.pop("rpc_timeout", 20)
        for service in services:
            config[database_url_key(service)] = make_database(service)
        config.update(extra)
        return config

    return build


@pytest.fixture
def rpc_proxy(rabbit_config):
    """Open standalone RPC proxies on the test vhost; closed after."""
    opened = []

    def open_proxy(timeout=20):
        proxy = ClusterRpcProxy(rabbit_config, timeout=timeout)
        opened.append(proxy)
        return proxy.start()

    yield open_proxy
    for proxy in opened:
        proxy.stop()


def engine_for(url):
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture
def sql(request):
    """Run SQL against a test database URL; engines disposed after."""
    engines = {}

    def run(url, statement, **params):
        if url not in engines:
            engines[url] = engine_for(url)
        with engines[url].connect() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else result.rowcount

    yield run
    for engine in engines.values():
        engine.dispose()


class ServiceProcess:
    """A `thads run` child process with its own environment."""

    def __init__(self, services, env, log_path):
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "run", *services],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self):
        self.kill()
        self.log.close()


@pytest.fixture
def spawn_services(tmp_path):
    """Start `thads run` processes against a given config; killed after."""
    started = []

    def spawn(config, *services):
        env = dict(os.environ)
        env["AMQP_URI"] = config["AMQP_URI"]
        env["LOG_LEVEL"] = "INFO"
        for key, value in config.items():
            if key.endswith("_DATABASE_URL"):
                env[key] = value
        process = ServiceProcess(
            services, env, tmp_path / f"{'-'.join(services)}-{len(started)}.log"
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        process.close()


def wait_until(predicate, timeout=20, interval=0.1, message="condition"):
    """Poll PREDICATE until it returns a truthy value or TIMEOUT passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


@pytest.fixture
def web_session(web_config_port):
    """nameko's web_session, without werkzeug.urls.url_join (Werkzeug 3)."""

    class PrefixedSession(requests.Session):
        def request(self, method, url, *args, **kwargs):
            url = urljoin(f"http://127.0.0.1:{web_config_port}/", url)
            return super().request(method, url, *args, **kwargs)

    session = PrefixedSession()
    yield session
    session.close()

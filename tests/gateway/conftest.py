"""Fixtures for the gateway: its database, demo users and running services."""
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gateway.demo import DEMO_PASSWORD, load_demo_users
from gateway.service import GatewayService
from services.common.db import make_engine
from services.common.migrate import upgrade
from tests.conftest import RUN_ID, SERVER, admin_engine, drop_database

@pytest.fixture(scope="session")
def gateway_template():
    """Migrate the gateway template database once and add the demo users."""
    name = f"thads_t{RUN_ID}_gateway_tmpl"
    url = f"{SERVER}/{name}"
    upgrade("gateway", url)
    engine = make_engine(url, 1)
    with Session(engine) as session:
        load_demo_users(session)
        session.commit()
    engine.dispose()
    yield name
    engine = admin_engine()
    drop_database(engine, name)
    engine.dispose()


@pytest.fixture
def gateway_database(gateway_template):
    """A fresh gateway database with the demo users; dropped after."""
    engine = admin_engine()
    name = f"thads_t{RUN_ID}_gateway_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{gateway_template}"'))
    yield f"{SERVER}/{name}"
    drop_database(engine, name)
    engine.dispose()


@pytest.fixture
def gateway_config(service_config, gateway_database, web_config_port):
    def build(*services):
        config = service_config(*services)
        config["GATEWAY_DATABASE_URL"] = gateway_database
        config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{web_config_port}"
        return config
    return build


@pytest.fixture
def gateway_only(container_factory, gateway_config):
    """Run the gateway alone: enough for login, sessions and CSRF."""
    config = gateway_config()
    container_factory(GatewayService, config).start()
    return config


@pytest.fixture
def full_system(container_factory, gateway_config):
    """Run the gateway with the decisions and numbering services."""
    from services.decisions.service import DecisionsService
    from services.numbering.service import NumberingService

    config = gateway_config("numbering", "decisions")
    container_factory(NumberingService, config).start()
    container_factory(DecisionsService, config).start()
    container_factory(GatewayService, config).start()
    return config


@pytest.fixture
def login(web_config_port):
    """Log USERNAME in on a new client; return the client, CSRF header set."""
    import requests

    clients = []

    def log_in(username, password=DEMO_PASSWORD):
        client = requests.Session()
        client.base = f"http://127.0.0.1:{web_config_port}"
        response = client.post(f"{client.base}/api/v1/login",
                               json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        clients.append(client)
        return client

    yield log_in
    for client in clients:
        client.close()


@pytest.fixture
def registers_system(container_factory, gateway_config):
    """Run the full system plus the registers service, catching up every 1 s.

    nameko's fast_teardown drops the vhost before container_factory kills
    the containers, so the registers container, whose timer keeps calling
    the decisions service, is killed here first.
    """
    from services.decisions.service import DecisionsService
    from services.numbering.service import NumberingService
    from services.registers.service import RegistersService

    config = gateway_config("numbering", "decisions", "registers")
    config["REGISTERS_CATCHUP_SECONDS"] = 1
    container_factory(NumberingService, config).start()
    container_factory(DecisionsService, config).start()
    registers = container_factory(RegistersService, config)
    registers.start()
    container_factory(GatewayService, config).start()
    yield config
    registers.kill()

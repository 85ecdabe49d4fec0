"""Configuration keys and their defaults.

Every setting comes from an environment variable; with nothing set, a
local run talks to the RabbitMQ and PostgreSQL answering on 127.0.0.1.
"""
import os

SERVICES = ("numbering", "decisions", "registers", "notifications", "gateway")

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
DEFAULT_WEB_SERVER_ADDRESS = "127.0.0.1:8000"
DEFAULT_MAX_WORKERS = 10

# Seconds a service waits for a reply from another service before giving up.
DEFAULT_RPC_TIMEOUT = 30


def amqp_uri():
    """Return the broker URI from AMQP_URI, or the local default."""
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def database_url_key(service):
    """Return the environment variable naming SERVICE's database URL."""
    return f"{service.upper()}_DATABASE_URL"


def database_url(service):
    """Return SERVICE's database URL: its variable, or thads_<service> locally.

    The URL must name the psycopg2 driver: a bare postgresql:// URL makes
    SQLAlchemy 2.1 pick psycopg 3, which blocks the eventlet hub.
    """
    url = os.environ.get(database_url_key(service))
    if url is None:
        server = os.environ.get("THADS_DATABASE_SERVER", DEFAULT_DATABASE_SERVER)
        url = f"{server}/thads_{service}"
    return check_driver(url, database_url_key(service))


def check_driver(url, name="database URL"):
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        scheme, rest = url.split("://", 1)
        raise ValueError(
            f"{name} {scheme}://... selects psycopg 3, which blocks the "
            f"eventlet hub; write postgresql+psycopg2://{rest} instead"
        )
    return url


def service_config(*services):
    """Build the nameko config dict for running SERVICES in one process."""
    config = {
        "AMQP_URI": amqp_uri(),
        "WEB_SERVER_ADDRESS": os.environ.get(
            "WEB_SERVER_ADDRESS", DEFAULT_WEB_SERVER_ADDRESS
        ),
        "max_workers": int(os.environ.get("MAX_WORKERS", DEFAULT_MAX_WORKERS)),
        "RPC_TIMEOUT": float(os.environ.get("RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT)),
        "RPC_QUEUE_TYPE": os.environ.get("RPC_QUEUE_TYPE", "classic"),
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
            },
            "handlers": {
                "console": {"class": "logging.StreamHandler", "formatter": "plain"}
            },
            "root": {"level": os.environ.get("LOG_LEVEL", "INFO"),
                     "handlers": ["console"]},
        },
    }
    for service in SERVICES:
        config[database_url_key(service)] = database_url(service)
    return config

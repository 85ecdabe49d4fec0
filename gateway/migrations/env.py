from alembic import context

from gateway.users import metadata
from services.common.migrate import run_env

run_env(context, metadata)

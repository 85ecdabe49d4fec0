from alembic import context

from services.common.migrate import run_env
from services.registers.models import metadata

run_env(context, metadata)

from alembic import context

from services.common.migrate import run_env
from services.decisions.models import metadata

run_env(context, metadata)

"""Alembic environment: the connection is handed in by kapwa.core.migrate."""

from alembic import context

from kapwa.core.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through kapwa.core.migrate
    raise RuntimeError("run migrations with `kapwa db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

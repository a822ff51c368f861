"""Alembic environment: the app's own engine and SQLModel's metadata (every table in models/)."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401 — registers every table
from services import db

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connectable = context.config.attributes.get('connection')
    if connectable is not None:
        _run(connectable)
        return
    with db.get_engine().connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

"""Reading what the database holds now, for assertions."""

from typing import TypeVar

from sqlmodel import SQLModel

from services import db

M = TypeVar('M', bound=SQLModel)


def stored(model: type[M], row_id: int) -> M:
    """The row of `model` with `row_id` as committed now (it must exist)."""
    with db.read_session() as session:
        row = session.get(model, row_id)
        assert row is not None, f'no {model.__name__} {row_id}'
        session.expunge(row)
        return row

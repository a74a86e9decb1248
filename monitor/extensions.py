"""Flask extensions, created unbound and initialised in :func:`monitor.create_app`."""

from typing import cast

import sqlmodel
from flask_alembic import Alembic
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect


class _SQLModelSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy-Lite whose request-scoped session is a ``sqlmodel.Session``
    (configured below); this subclass only tells type checkers so."""

    @property
    def session(self) -> sqlmodel.Session:  # type: ignore[override]
        return cast(sqlmodel.Session, super().session)


db = _SQLModelSQLAlchemy(session_options={"class_": sqlmodel.Session})
alembic = Alembic(metadatas=sqlmodel.SQLModel.metadata)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()

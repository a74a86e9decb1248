"""Flask extensions, created unbound and initialised in :func:`monitor.create_app`."""

import sqlmodel
from flask_alembic import Alembic
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

db = SQLAlchemy(session_options={"class_": sqlmodel.Session})
alembic = Alembic(metadatas=sqlmodel.SQLModel.metadata)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()

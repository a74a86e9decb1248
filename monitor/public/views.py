"""Start page, the signed-in dashboard and published reports."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

bp = Blueprint("public", __name__)


@bp.route("/")
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    return render_template("public/index.html")


@bp.route("/dashboard")
@login_required
def dashboard() -> str:
    return render_template("public/dashboard.html")


@bp.route("/published")
def published() -> str:
    return render_template("public/published.html", reports=[])

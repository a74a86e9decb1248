"""Log in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from monitor.accounts.forms import LoginForm
from monitor.accounts.registration import sign_in_refusal
from monitor.accounts.services import authenticate
from monitor.core.security import safe_next
from monitor.extensions import db

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            lang = session.get("lang")
            login_user(user)
            session.permanent = True
            if lang:
                session["lang"] = lang
            return redirect(safe_next(form.next.data, url_for("public.dashboard")))
        refusal = sign_in_refusal(db.session, form.email.data or "", form.password.data or "")
        flash(refusal or _("The e-mail address or password is not right."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/account")
@login_required
def account() -> str:
    return render_template("accounts/account.html", user=current_user)

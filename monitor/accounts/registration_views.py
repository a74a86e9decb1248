"""NGO registration over HTTP: the public "Register your organisation" form and the
secretariat's page of pending registrations (see :mod:`monitor.accounts.registration`).

Not rate-limited: Flask-Limiter is not set up in :mod:`monitor.extensions`; the form is
protected by CSRF only.
"""

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.accounts import registration
from monitor.accounts.forms import RegistrationForm, RejectionForm
from monitor.accounts.models import Organisation, Party, Role, User
from monitor.core.mail import MailError, send
from monitor.core.web import current_language
from monitor.extensions import db

bp = Blueprint("registration", __name__)


def pending_count() -> int:
    """For the secretariat's dashboard: registrations awaiting a decision."""
    return len(registration.pending_organisations(db.session))


@bp.record_once
def _register_helpers(state: Any) -> None:
    state.app.jinja_env.globals["pending_registrations"] = pending_count


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    """An NGO registers: organisation, the Party it reports on, a contact and a
    password. The account waits for the secretariat's approval."""
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = RegistrationForm()
    parties = db.session.exec(select(Party).order_by(Party.name)).all()
    form.party.choices = [(p.id, p.name) for p in parties]  # type: ignore[misc]
    if form.validate_on_submit():
        party = db.session.get(Party, form.party.data)
        if party is None:
            abort(400)
        try:
            org, _user = registration.register_organisation(
                db.session,
                name=form.organisation.data or "",
                party=party,
                contact_name=form.contact_name.data or "",
                email=form.email.data or "",
                password=form.password.data or "",
                website=form.website.data,
                locale=current_language(),
            )
        except registration.RegistrationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return render_template("accounts/registered.html", org=org)
    return render_template("accounts/register.html", form=form)


def _secretariat() -> None:
    if current_user.role != Role.SECRETARIAT:
        abort(403)


@bp.route("/secretariat/registrations")
@login_required
def pending() -> str:
    """Registrations awaiting the secretariat's decision."""
    _secretariat()
    return render_template(
        "accounts/registrations.html",
        pending=registration.pending_organisations(db.session),
        form=RejectionForm(),
    )


def _tell(org: Organisation, users: list[User]) -> None:
    """E-mail the decision to the organisation's users; a failure is shown, not raised
    (the decision stands)."""
    for user in users:
        try:
            send(registration.decision_message(org, user))
        except MailError:
            current_app.logger.exception("registration %s: e-mail to %s failed", org.id, user.id)
            flash(_("The e-mail to %(email)s could not be sent.", email=user.email), "error")


def _pending_org(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.route("/secretariat/registrations/<int:org_id>/approve", methods=["POST"])
@login_required
def approve(org_id: int) -> Response:
    _secretariat()
    org = _pending_org(org_id)
    try:
        users = registration.approve_organisation(db.session, org, current_user)
    except registration.RegistrationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("registration.pending"))
    db.session.commit()
    flash(_("%(org)s has been approved.", org=org.name), "success")
    _tell(org, users)
    return redirect(url_for("registration.pending"))


@bp.route("/secretariat/registrations/<int:org_id>/reject", methods=["POST"])
@login_required
def reject(org_id: int) -> Response:
    _secretariat()
    org = _pending_org(org_id)
    form = RejectionForm()
    try:
        if not form.validate():
            raise registration.RegistrationError(_("Give the reason for the rejection."))
        users = registration.reject_organisation(
            db.session, org, current_user, form.reason.data or ""
        )
    except registration.RegistrationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("registration.pending"))
    db.session.commit()
    flash(_("The registration of %(org)s has been rejected.", org=org.name), "success")
    _tell(org, users)
    return redirect(url_for("registration.pending"))

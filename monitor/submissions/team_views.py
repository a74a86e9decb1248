"""The multi-agency reply over HTTP (issue 4, point 1): the contact person's team page
(invitations, contributors, section assignments), section status changes, the
invitation link, and the helpers the answering views use for contributors (the
read-only section page, the refusal of a write to a section not assigned).

Rules: :mod:`monitor.submissions.team` and :mod:`monitor.submissions.access`.
"""

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlmodel import select
from werkzeug.wrappers import Response

from monitor.accounts.models import Party, Role, User
from monitor.core.i18n import qt
from monitor.core.mail import MailError, send
from monitor.core.time import utcnow
from monitor.core.web import current_language
from monitor.extensions import db
from monitor.questionnaires.schema import QuestionnaireDef, Section
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions import receipts, team
from monitor.submissions.access import can_edit_reply, is_respondent, reply_or_404
from monitor.submissions.definitions import definition_of
from monitor.submissions.models import Reply
from monitor.submissions.team_forms import (
    AcceptForm,
    ButtonForm,
    InviteForm,
    assignment_form_class,
)
from monitor.submissions.team_models import Invitation, SectionStatus

bp = Blueprint("team", __name__, template_folder="templates")


# --- helpers for the answering views ----------------------------------------------------


def task_list_context(
    reply: Reply, evaluation: Evaluation, definition: QuestionnaireDef
) -> dict[str, Any]:
    """What the task list shows of the team: ``teams`` (section id -> SectionTeam),
    ``status_moves`` (section id -> statuses the current user may set), ``my_sections``
    (ids assigned to the current user), ``is_contact``. Empty for NGO submissions."""
    if reply.audience != Audience.PARTY:
        return {"teams": {}, "status_moves": {}, "my_sections": set(), "is_contact": False}
    return {
        "teams": team.section_teams(db.session, reply, definition),
        "status_moves": {
            s.id: team.allowed_statuses(db.session, reply, evaluation, current_user, s.id)
            for s in definition.sections()
        },
        "my_sections": team.assigned_sections(db.session, reply, current_user),
        "is_contact": team.is_contact(current_user, reply, evaluation),
        "button_form": ButtonForm(),
    }


def check_answers_context(reply: Reply) -> dict[str, Any]:
    """For the check-answers page (``submissions/_check_answers.html``): ``check_items``
    (what :func:`monitor.submissions.receipts.answers_context` gives) and
    ``check_authors`` (user id -> name of the last author of each answer)."""
    context = receipts.answers_context(db.session, reply, current_language())
    return {"check_items": context, "check_authors": _authors(context["answers"])}


def _authors(answers: dict[str, Any]) -> dict[int, str]:
    """User id -> name, for the last authors of ``answers`` (item id -> Answer)."""
    ids = {a.updated_by_id for a in answers.values() if a.updated_by_id}
    if not ids:
        return {}
    return {
        u.id: u.name
        for u in db.session.exec(select(User).where(User.id.in_(ids)))  # type: ignore[union-attr]
        if u.id is not None
    }


def refuse_section(reply: Reply, section: Section) -> tuple[str, int]:
    """The 403 page for a write to a section the current user is not assigned to."""
    return (
        render_template("submissions/not_assigned.html", reply=reply, section=section, status=403),
        403,
    )


def read_only_section(
    reply: Reply,
    evaluation: Evaluation,
    definition: QuestionnaireDef,
    section: Section,
    base: dict[str, Any],
) -> str:
    """The section's answers, read-only, each with who changed it last and when: what a
    contributor sees of a section not assigned to them. ``base`` is the page context
    of the answering views (reply, evaluation, party, round, org)."""
    context = receipts.answers_context(db.session, reply, current_language())
    authors = _authors(context["answers"])
    teams = team.section_teams(db.session, reply, definition)
    return render_template(
        "submissions/section_read_only.html",
        section=section,
        authors=authors,
        section_team=teams[section.id],
        **context,
        **{k: v for k, v in base.items() if k != "definition"},
    )


# --- the team page -----------------------------------------------------------------------


def _contact_reply_or_404(reply_id: int) -> tuple[Reply, Evaluation]:
    """A Party's reply whose team the current user manages: 404 for whoever may not see
    the reply; 403 for the Party's other users."""
    reply, evaluation = reply_or_404(reply_id)
    if reply.audience != Audience.PARTY:
        abort(404)
    if not team.is_contact(current_user, reply, evaluation):
        abort(403)
    return reply, evaluation


def _assignment_form(
    reply: Reply, evaluation: Evaluation, definition: QuestionnaireDef, formdata: Any = None
) -> Any:
    people = [
        (u.id, u.name if u.active else _("%(name)s (deactivated)", name=u.name))
        for u in team.contributors(db.session, evaluation.party_id)
        if u.id is not None
    ]
    sections = [(s.id, qt(s.title)) for s in definition.sections()]
    cls = assignment_form_class(sections, people)
    current = team.assignments(db.session, reply)
    data = {f"section__{sid}": current.get(sid, []) for sid, _t in sections}
    return cls(formdata=formdata, data=data) if formdata is not None else cls(data=data)


def _team_page(
    reply: Reply,
    evaluation: Evaluation,
    invite_form: InviteForm | None = None,
    assignment_form: Any = None,
) -> str:
    definition = definition_of(db.session, reply.questionnaire_version_id)
    people = team.contributors(db.session, evaluation.party_id)
    assigned = team.assignments(db.session, reply)
    counts = {u.id: sum(1 for ids in assigned.values() if u.id in ids) for u in people}
    max_age = current_app.config["INVITATION_MAX_AGE"]
    invitations = [
        (inv, team.link_expiry(inv, max_age))
        for inv in team.party_invitations(db.session, evaluation.party_id)
    ]
    return render_template(
        "submissions/team.html",
        reply=reply,
        evaluation=evaluation,
        party=db.session.get(Party, evaluation.party_id),
        round=db.session.get(EvaluationRound, evaluation.round_id),
        definition=definition,
        people=people,
        counts=counts,
        invitations=invitations,
        now=utcnow(),
        invite_form=invite_form or InviteForm(language=current_language()),
        assignment_form=assignment_form or _assignment_form(reply, evaluation, definition),
        button_form=ButtonForm(),
        editable=can_edit_reply(current_user, reply, evaluation),
    )


@bp.route("/replies/<int:reply_id>/team")
@login_required
def team_page(reply_id: int) -> str:
    """The contact person's team page: invite, see who is invited or contributing,
    assign sections."""
    reply, evaluation = _contact_reply_or_404(reply_id)
    return _team_page(reply, evaluation)


def _send_invitation(invitation: Invitation) -> bool:
    """E-mail the invitation link (after commit); flash the outcome. True if sent."""
    max_age = current_app.config["INVITATION_MAX_AGE"]
    token = team.invitation_token(current_app.config["SECRET_KEY"], invitation)
    link = url_for("team.accept", token=token, lang=invitation.language, _external=True)
    try:
        send(team.invitation_message(db.session, invitation, current_user, link, max_age))
    except MailError:
        current_app.logger.exception("invitation %s: e-mail failed", invitation.id)
        flash(
            _("The invitation could not be sent by e-mail. Try again later."),
            "error",
        )
        return False
    return True


@bp.route("/replies/<int:reply_id>/team/invite", methods=["POST"])
@login_required
def invite(reply_id: int) -> str | Response | tuple[str, int]:
    reply, evaluation = _contact_reply_or_404(reply_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _team_page(reply, evaluation, invite_form=form), 400
    try:
        invitation, new = team.invite(
            db.session,
            reply,
            evaluation,
            current_user,
            form.email.data or "",
            form.name.data or "",
            form.language.data or "en",
        )
    except team.TeamError as exc:
        db.session.rollback()
        form.email.errors = [*form.email.errors, str(exc)]
        return _team_page(reply, evaluation, invite_form=form), 400
    db.session.commit()
    if _send_invitation(invitation):
        if new:
            flash(_("An invitation has been sent to %(email)s.", email=invitation.email), "success")
        else:
            flash(
                _("The invitation has been sent again to %(email)s.", email=invitation.email),
                "success",
            )
    return redirect(url_for("team.team_page", reply_id=reply.id))


def _invitation_of(evaluation: Evaluation, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.party_id != evaluation.party_id:
        abort(404)
    return invitation


@bp.route("/replies/<int:reply_id>/team/invitations/<int:invitation_id>/resend", methods=["POST"])
@login_required
def resend(reply_id: int, invitation_id: int) -> Response:
    reply, evaluation = _contact_reply_or_404(reply_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    old = _invitation_of(evaluation, invitation_id)
    try:
        invitation, _new = team.invite(
            db.session, reply, evaluation, current_user, old.email, old.name, old.language
        )
    except team.TeamError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("team.team_page", reply_id=reply.id))
    db.session.commit()
    if _send_invitation(invitation):
        flash(
            _("The invitation has been sent again to %(email)s.", email=invitation.email),
            "success",
        )
    return redirect(url_for("team.team_page", reply_id=reply.id))


@bp.route("/replies/<int:reply_id>/team/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(reply_id: int, invitation_id: int) -> Response:
    reply, evaluation = _contact_reply_or_404(reply_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    invitation = _invitation_of(evaluation, invitation_id)
    try:
        team.revoke_invitation(db.session, invitation, current_user, evaluation)
    except team.TeamError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("The invitation to %(email)s has been withdrawn.", email=invitation.email), "success"
        )
    return redirect(url_for("team.team_page", reply_id=reply.id))


@bp.route("/replies/<int:reply_id>/team/contributors/<int:user_id>", methods=["POST"])
@login_required
def contributor_active(reply_id: int, user_id: int) -> Response:
    """Deactivate (``active=0``) or reactivate (``active=1``) a contributor."""
    reply, evaluation = _contact_reply_or_404(reply_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None or user.party_id != evaluation.party_id or user.role != Role.PARTY_CONTRIBUTOR:
        abort(404)
    active = request.form.get("active") == "1"
    team.set_contributor_active(db.session, user, current_user, evaluation, active)
    db.session.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=user.name), "success")
    else:
        flash(
            _("%(name)s has been deactivated and can no longer sign in.", name=user.name), "success"
        )
    return redirect(url_for("team.team_page", reply_id=reply.id))


@bp.route("/replies/<int:reply_id>/team/assignments", methods=["POST"])
@login_required
def assign(reply_id: int) -> str | Response | tuple[str, int]:
    reply, evaluation = _contact_reply_or_404(reply_id)
    definition = definition_of(db.session, reply.questionnaire_version_id)
    form = _assignment_form(reply, evaluation, definition, formdata=request.form)
    if not form.validate():
        return _team_page(reply, evaluation, assignment_form=form), 400
    wanted = {
        s.id: set(getattr(form, f"section__{s.id}").data or []) for s in definition.sections()
    }
    try:
        changes = team.set_assignments(db.session, reply, evaluation, current_user, wanted)
    except team.TeamError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("team.team_page", reply_id=reply.id))
    db.session.commit()
    if changes:
        flash(_("The assignments have been saved."), "success")
    else:
        flash(_("Nothing has changed."), "info")
    return redirect(url_for("team.team_page", reply_id=reply.id))


# --- section status ----------------------------------------------------------------------


@bp.route("/replies/<int:reply_id>/sections/<section_id>/status", methods=["POST"])
@login_required
def section_status(reply_id: int, section_id: str) -> Response:
    """Mark a section ready for review (an assigned contributor or the contact), reviewed,
    or back in progress (the contact); 403 for any other move."""
    reply, evaluation = reply_or_404(reply_id)
    if reply.audience != Audience.PARTY or not is_respondent(current_user, reply, evaluation):
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        status = SectionStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    try:
        team.set_section_status(db.session, reply, evaluation, current_user, section_id, status)
    except team.TeamError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    messages = {
        SectionStatus.READY_FOR_REVIEW: _("The section is ready for review."),
        SectionStatus.REVIEWED: _("The section has been marked reviewed."),
        SectionStatus.IN_PROGRESS: _("The section has been sent back to “in progress”."),
    }
    flash(messages.get(status, _("The status has been changed.")), "success")
    return redirect(
        url_for("submissions.task_list", reply_id=reply.id, _anchor=f"task-{section_id}")
    )


# --- the invitation link -----------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> str | Response | tuple[str, int]:
    """The page an invitation link opens: the invitee chooses a name and password, is
    made a contributor of the Party and signed in. An expired, tampered, used or revoked
    link gets a page saying so (status 410 or 404), never an error."""
    try:
        invitation = team.invitation_from_token(
            db.session,
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["INVITATION_MAX_AGE"],
        )
    except team.InvitationLinkError as exc:
        status = 404 if exc.reason == "invalid" else 410
        return render_template("submissions/invitation_invalid.html", reason=exc.reason), status
    party = db.session.get(Party, invitation.party_id)
    form = AcceptForm()
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = team.accept_invitation(
                db.session, invitation, form.name.data or "", form.password.data or ""
            )
        except team.TeamError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            db.session.commit()
            login_user(user)
            session.permanent = True
            session["lang"] = user.locale or current_language()
            flash(_("Welcome, %(name)s. Your account has been created.", name=user.name), "success")
            if invitation.reply_id:
                return redirect(url_for("submissions.task_list", reply_id=invitation.reply_id))
            return redirect(url_for("public.dashboard"))
    return render_template(
        "submissions/invitation.html", form=form, invitation=invitation, party=party
    )

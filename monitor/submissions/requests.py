"""Additional requests for information (issue 4, point 6; procedure step 3).

After the reply the panel or secretariat sends ad-hoc questions, each request with its own
deadline, to the Party (answered by its contact person and contributors, submitted by the
contact person) or to one NGO on an evaluation (answered and submitted by the
organisation's users). Answers are saved as drafts, then submitted once; from then on they
are read-only and the panel reads them beside the reply. Before that the panel sees the
questions and the deadline, never the draft answers.

Who may see what ("Who may see what" in ``shared/domain.md``): a request to an NGO and its
answers are never shown to the Party, and a Party's requests never to an NGO; another
Party sees nothing. Every step is audited. Services never commit.
"""

from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from monitor.accounts.models import Organisation, Party, Role, User
from monitor.core.audit import record
from monitor.core.i18n import qt
from monitor.core.mail import notify
from monitor.core.time import utcnow
from monitor.rounds.models import Audience, Evaluation, EvaluationRound
from monitor.submissions.models import (
    InformationQuestion,
    InformationRequest,
    RequestStatus,
)

#: Question fields offered by the form that sends a request (blank ones are ignored).
MAX_QUESTIONS = 10


class RequestError(Exception):
    """A refused operation on an additional request for information."""


# --- who may see and do what -------------------------------------------------------------


def is_request_respondent(user: User, request: InformationRequest, evaluation: Evaluation) -> bool:
    """True for the people who answer ``request``: the Party's users for a request to the
    Party, the organisation's users for a request to an NGO."""
    if not user.is_authenticated:
        return False
    if request.audience == Audience.PARTY:
        return bool(user.is_party and user.party_id == evaluation.party_id)
    return bool(user.is_ngo and user.organisation_id == request.organisation_id)


def can_view_request(user: User, request: InformationRequest, evaluation: Evaluation) -> bool:
    """The panel and secretariat see every request; respondents see their own."""
    if not user.is_authenticated:
        return False
    return bool(user.is_panel) or is_request_respondent(user, request, evaluation)


def can_see_answers(user: User, request: InformationRequest, evaluation: Evaluation) -> bool:
    """Respondents see their draft answers; the panel sees the answers once submitted."""
    if is_request_respondent(user, request, evaluation):
        return True
    return bool(user.is_authenticated and user.is_panel and not request.is_open)


def can_answer_request(user: User, request: InformationRequest, evaluation: Evaluation) -> bool:
    return request.is_open and is_request_respondent(user, request, evaluation)


def can_submit_request(user: User, request: InformationRequest, evaluation: Evaluation) -> bool:
    """The Party's contact person submits the Party's answers (as for the reply); any
    user of the NGO submits the NGO's."""
    if not can_answer_request(user, request, evaluation):
        return False
    return request.audience == Audience.NGO or user.role == Role.PARTY_CONTACT


def can_send_request(user: User) -> bool:
    return bool(user.is_authenticated and user.is_panel)


def visible_requests(
    session: Session,
    user: User,
    evaluation: Evaluation,
    audience: Audience | None = None,
    organisation_id: int | None = None,
) -> list[InformationRequest]:
    """The requests on ``evaluation`` that ``user`` may see, oldest first; narrowed to
    ``audience`` (and, for NGOs, ``organisation_id``) when given."""
    q = select(InformationRequest).where(InformationRequest.evaluation_id == evaluation.id)
    if audience is not None:
        q = q.where(InformationRequest.audience == audience)
        if audience == Audience.NGO and organisation_id is not None:
            q = q.where(InformationRequest.organisation_id == organisation_id)
    rows = session.exec(q.order_by(col(InformationRequest.id))).all()
    return [r for r in rows if can_view_request(user, r, evaluation)]


def questions_of(session: Session, request: InformationRequest) -> list[InformationQuestion]:
    return list(
        session.exec(
            select(InformationQuestion)
            .where(InformationQuestion.request_id == request.id)
            .order_by(col(InformationQuestion.number))
        ).all()
    )


def today() -> date:
    """Today's date in UTC (deadlines are calendar dates)."""
    return utcnow().date()


def is_overdue(request: InformationRequest, on: date | None = None) -> bool:
    """An open request whose deadline has passed (due on the deadline day itself)."""
    return request.is_open and request.deadline < (on or today())


# --- state changes -------------------------------------------------------------------------


def send_request(
    session: Session,
    evaluation: Evaluation,
    actor: User,
    deadline: date,
    questions: list[str],
    organisation: Organisation | None = None,
) -> InformationRequest:
    """Send an additional request for information: ``questions`` (free text, blank ones
    dropped, at least one) to the Party of ``evaluation``, or to ``organisation`` (an NGO)
    when given, to be answered by ``deadline``.

    Raises RequestError when no question is left or the deadline is in the past.
    """
    texts = [q.strip() for q in questions if q and q.strip()]
    if not texts:
        raise RequestError(_l("Write at least one question."))
    if deadline < today():
        raise RequestError(_l("The deadline cannot be in the past."))
    request = InformationRequest(
        evaluation_id=evaluation.id,  # type: ignore[arg-type]
        audience=Audience.NGO if organisation else Audience.PARTY,
        organisation_id=organisation.id if organisation else None,
        deadline=deadline,
        sent_at=utcnow(),
        sent_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    for n, text in enumerate(texts, start=1):
        session.add(InformationQuestion(request_id=request.id, number=n, text=text))  # type: ignore[arg-type]
    record(
        session,
        actor.id,
        "information_request.sent",
        request,
        evaluation.id,
        audience=str(request.audience),
        organisation_id=request.organisation_id,
        questions=len(texts),
        deadline=deadline.isoformat(),
    )
    return request


def save_answers(
    session: Session,
    request: InformationRequest,
    actor: User,
    answers: dict[int, str],
    language: str,
) -> int:
    """Save draft answers: ``answers`` maps question id to text (blank clears it); ids of
    other requests are ignored. Returns the number of answers changed.

    Raises RequestError once the answers have been submitted (they are read-only)."""
    if not request.is_open:
        raise RequestError(_l("These answers have been submitted and can no longer change."))
    now = utcnow()
    count = 0
    for question in questions_of(session, request):
        if question.id not in answers:
            continue
        text = (answers[question.id] or "").strip() or None
        if text == question.answer:
            continue
        question.answer = text
        question.language = language
        question.updated_at = now
        question.updated_by_id = actor.id
        session.add(question)
        count += 1
    if count:
        record(
            session,
            actor.id,
            "information_request.draft_saved",
            request,
            request.evaluation_id,
            answers=count,
        )
    return count


def submit_answers(session: Session, request: InformationRequest, actor: User) -> None:
    """Submit the answers to ``request``: they become read-only and visible to the panel.

    Raises RequestError when already submitted or a question is unanswered."""
    if not request.is_open:
        raise RequestError(_l("These answers have already been submitted."))
    missing = [q.number for q in questions_of(session, request) if not (q.answer or "").strip()]
    if missing:
        raise RequestError(_l("Answer every question before submitting."))
    request.status = RequestStatus.ANSWERED
    request.answered_at = utcnow()
    request.answered_by_id = actor.id
    session.add(request)
    record(
        session,
        actor.id,
        "information_request.answered",
        request,
        request.evaluation_id,
        overdue=request.deadline < request.answered_at.date(),
    )


# --- e-mail --------------------------------------------------------------------------------


def recipients(session: Session, request: InformationRequest) -> list[User]:
    """Who is told of a new request: the Party's contact persons, or the NGO's users."""
    q = select(User).where(col(User.active).is_(True))
    if request.audience == Audience.PARTY:
        evaluation = session.get(Evaluation, request.evaluation_id)
        assert evaluation is not None
        q = q.where(User.party_id == evaluation.party_id, User.role == Role.PARTY_CONTACT)
    else:
        q = q.where(User.organisation_id == request.organisation_id, User.role == Role.NGO)
    return list(session.exec(q.order_by(col(User.id))).all())


def send_request_notices(
    session: Session, request: InformationRequest, link: str
) -> tuple[int, int]:
    """E-mail each of :func:`recipients` (in their own language) the request's questions,
    deadline and ``link`` (the answer page, absolute URL). Returns ``(sent, failed)``; a
    failed e-mail is logged, never raised."""
    evaluation = session.get(Evaluation, request.evaluation_id)
    assert evaluation is not None
    party = session.get(Party, evaluation.party_id)
    rnd = session.get(EvaluationRound, evaluation.round_id)
    assert party is not None and rnd is not None
    questions = questions_of(session, request)
    sent = failed = 0
    for user in recipients(session, request):
        lang = user.locale if user.locale in ("en", "fr", "ru") else "en"
        with force_locale(lang):
            subject = _(
                "Additional request for information: %(party)s, reply by %(date)s",
                party=party.name,
                date=format_date(request.deadline, "long"),
            )
            text = "\n\n".join(
                [
                    _("Dear %(name)s,", name=user.name),
                    _(
                        "The expert panel asks for additional information on the evaluation"
                        " of %(party)s (%(round)s). Please answer by %(date)s.",
                        party=party.name,
                        round=qt(rnd.title),
                        date=format_date(request.deadline, "long"),
                    ),
                    "\n\n".join(f"{q.number}. {q.text}" for q in questions),
                    _("Answer here: %(link)s", link=link),
                ]
            )
        if notify(user.name, user.email, subject, text, lang, f"request {request.id}"):
            sent += 1
        else:
            failed += 1
    return sent, failed

"""Who may see an evaluation (``shared/domain.md``, "Who may see what")."""

from flask import abort
from flask_login import current_user

from monitor.accounts.models import User
from monitor.extensions import db
from monitor.rounds.models import Evaluation


def can_view_evaluation(user: User, evaluation: Evaluation) -> bool:
    """The panel and secretariat see every evaluation; a Party's users see their own."""
    if not user.is_authenticated:
        return False
    if user.is_panel:
        return True
    return user.is_party and user.party_id == evaluation.party_id


def evaluation_or_404(evaluation_id: int) -> Evaluation:
    """Load an evaluation the current user may see; 404 otherwise (also for another
    Party's evaluation, so that its existence is not revealed)."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not can_view_evaluation(current_user, evaluation):
        abort(404)
    return evaluation

"""The Party's reply and each NGO submission on one questionnaire section, side by side:
what the panel reads when it compares replies (``public/evaluations.compare``) and when
it drafts a chapter of the report beside the evidence (``reports/evidence``). The
template macro is ``submissions/_side_by_side.html``.

Only submitted replies are shown (drafts belong to their authors). Who may see this is
the caller's business: the panel and secretariat only (NGO input is confidential).
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from monitor.accounts.models import Organisation
from monitor.questionnaires.schema import ItemBase, Section
from monitor.questionnaires.visibility import hidden_items
from monitor.rounds.models import Audience, Evaluation
from monitor.submissions.attachments import attachments_of_replies
from monitor.submissions.definitions import answerable, definition_of, find_section
from monitor.submissions.forms import display_answer
from monitor.submissions.models import Answer, Attachment, Reply, ReplyStatus
from monitor.submissions.validation import is_blank, visible_answers


@dataclass
class NgoColumn:
    """One NGO submission's answers on the section: ``items`` as ``(item, readable
    answer)``, answered items only."""

    reply: Reply
    org: Organisation | None
    items: list[tuple[Any, Any]]


@dataclass
class SideBySide:
    """The replies on ``section``: ``party_column`` lists every shown answerable item of
    the section with its readable answer (None when unanswered); ``ngo_columns`` one
    column per submitted NGO submission; ``files`` the attachments the answers link
    (attachment id -> Attachment). ``sections`` is every section of the Party
    questionnaire, for a section picker."""

    sections: list[Section]
    section: Section
    party_reply: Reply | None
    party_column: list[tuple[Any, Any]]
    ngo_columns: list[NgoColumn] = field(default_factory=list)
    files: dict[int, Attachment] = field(default_factory=dict)

    def answer_keys(self) -> list[tuple[int, str]]:
        """``(reply id, item id)`` of every answer shown, Party first."""
        keys: list[tuple[int, str]] = []
        if self.party_reply is not None:
            keys += [(self.party_reply.id, i.id) for i, v in self.party_column if v is not None]  # type: ignore[misc]
        for c in self.ngo_columns:
            keys += [(c.reply.id, i.id) for i, _v in c.items]  # type: ignore[misc]
        return keys


def party_sections(session: Session, evaluation: Evaluation) -> list[Section]:
    """The sections of the evaluation's Party questionnaire (as the Party's submitted
    reply answered it, else as the evaluation's version)."""
    return _party_definition(session, evaluation, None).sections()


def _party_definition(session: Session, evaluation: Evaluation, party_reply: Reply | None) -> Any:
    if party_reply is not None:
        return definition_of(session, party_reply.questionnaire_version_id)
    return definition_of(session, evaluation.questionnaire_version_id)


def side_by_side(
    session: Session, evaluation: Evaluation, section_id: str | None, locale: str
) -> SideBySide | None:
    """The submitted replies of ``evaluation`` on the Party questionnaire's section
    ``section_id`` (the first section when None), answers made readable for ``locale``.

    NGO answers are those to items with the same ids as the section's items, and to the
    NGO sections that name this section in ``mirrors`` (or share its id). Hidden items
    (retired, or ``show_if`` false) are neither shown nor counted. Returns None when the
    questionnaire has no such section. Raises LookupError for a missing version.
    """
    submitted = session.exec(
        select(Reply).where(
            Reply.evaluation_id == evaluation.id, Reply.status == ReplyStatus.SUBMITTED
        )
    ).all()
    party_reply = next((r for r in submitted if r.audience == Audience.PARTY), None)
    ngo_replies = [r for r in submitted if r.audience == Audience.NGO]
    reply_ids = [r.id for r in submitted]
    by_reply: dict[int | None, dict[str, Any]] = {}
    for a in session.exec(select(Answer).where(col(Answer.reply_id).in_(reply_ids))).all():
        by_reply.setdefault(a.reply_id, {})[a.item_id] = a.value
    party_def = _party_definition(session, evaluation, party_reply)
    sections = party_def.sections()
    section_id = section_id or (sections[0].id if sections else None)
    sec = find_section(party_def, section_id) if section_id else None
    if sec is None:
        return None
    party_values = visible_answers(
        party_def, by_reply.get(party_reply.id, {}) if party_reply else {}
    )
    party_hidden = hidden_items(party_def, party_values)
    items: list[ItemBase] = answerable(sec.items)
    party_column = [
        (
            item,
            display_answer(item, party_values.get(item.id), locale, party_values)
            if not is_blank(party_values.get(item.id))
            else None,
        )
        for item in items
        if item.id not in party_hidden
    ]
    party_ids = {item.id for item in items}
    columns = []
    for r in ngo_replies:
        ngo_def = definition_of(session, r.questionnaire_version_id)
        values = visible_answers(ngo_def, by_reply.get(r.id, {}))
        picked = []
        for ngo_sec in ngo_def.sections():
            related = ngo_sec.id == sec.id or sec.id in ngo_sec.mirrors
            for i in answerable(ngo_sec.items):
                if (related or i.id in party_ids) and not is_blank(values.get(i.id)):
                    picked.append((i, display_answer(i, values.get(i.id), locale, values)))
        org = session.get(Organisation, r.organisation_id) if r.organisation_id else None
        columns.append(NgoColumn(reply=r, org=org, items=picked))
    return SideBySide(
        sections=sections,
        section=sec,
        party_reply=party_reply,
        party_column=party_column,
        ngo_columns=columns,
        files=attachments_of_replies(session, reply_ids),  # type: ignore[arg-type]
    )

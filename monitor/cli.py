"""The ``monitor`` command: a Flask CLI group (``monitor run``, ``monitor db upgrade``)
to which each domain adds its own commands."""

import click
from flask.cli import FlaskGroup

from monitor import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Treaty monitoring platform."""


def _register() -> None:
    from monitor.accounts.cli import user_group
    from monitor.core.cli import mail_group, translations_group
    from monitor.demo import demo_command
    from monitor.questionnaires.cli import questionnaire
    from monitor.reminders import reminders_group
    from monitor.reports.cli import report
    from monitor.reports.recommendation_cli import follow_up_questions
    from monitor.rounds.cli import round_group
    from monitor.submissions.cli import submissions_group

    main.add_command(questionnaire)
    main.add_command(round_group)
    main.add_command(report)
    main.add_command(user_group)
    main.add_command(demo_command)
    main.add_command(translations_group)
    main.add_command(mail_group)
    main.add_command(reminders_group)
    # rounds/ sits below reports/: the command that reads reports joins `monitor round` here
    round_group.add_command(follow_up_questions)
    main.add_command(submissions_group)


_register()

"""Section forms render their controls with a faster html_params than WTForms' (see
monitor.submissions.forms.html_params): the output must stay the same, byte for byte."""

import pytest
from markupsafe import Markup
from wtforms.widgets import html_params as wtforms_html_params

from monitor.submissions.forms import html_params

CASES = [
    {},
    {"name": "q1", "id": "item-q1", "class_": "input", "value": "Law of 2010"},
    {"value": 'He said "yes" & <b>no</b>', "data_show_if": '{"op": "=", "l": "q1"}'},
    {"aria_describedby": "q1-hint", "aria_invalid": "true", "aria-label": "2022, Women"},
    {"checked": True, "disabled": False, "required": True, "name": "q2", "type": "radio"},
    {"value": Markup('<em>kept "as" markup</em>'), "title": Markup("a &amp; b")},
    {"value": 0, "rows": 6, "maxlength": 2000, "placeholder": None},
    {"value": "Кириллица, Ελληνικά, «français» — ёЁ", "lang": "ru", "for_": "x"},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_same_output_as_wtforms(kwargs):
    ours, theirs = html_params(**kwargs), wtforms_html_params(**kwargs)
    assert isinstance(ours, Markup)
    assert str(ours) == str(theirs)

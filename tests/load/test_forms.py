"""The load generator's form reading (tests/load/forms.py): it must send what a browser sends."""

from tests.load.forms import form_with, forms_of

PAGE = """
<form method="post" action="/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="t1"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="t2">
  <input name="m7-ap-day" value="">
  <input type="checkbox" name="agree">
  <input type="checkbox" name="paperless" value="yes" checked>
  <input type="radio" name="method" value="card">
  <input type="radio" name="method" value="new" checked>
  <input name="locked" value="x" disabled>
  <input type="file" name="files">
  <select name="owner"><option value="">—</option><option value="account:2" selected>ЛС 2</option></select>
  <select name="theme"><option value="1">Тех</option><option value="8">ЮЛ</option></select>
  <textarea name="text">
Привет</textarea>
  <button name="action" value="submit">Передать показания</button>
</form>
"""


def test_a_form_gives_what_a_browser_would_send():
    form = form_with(PAGE, field=r"m\d+-\w+-\w+")

    assert form.action is None and form.method == "post"
    assert dict(form.fields) == {
        "csrfmiddlewaretoken": "t2",
        "m7-ap-day": "",
        "paperless": "yes",
        "method": "new",
        "owner": "account:2",
        "theme": "1",
        "text": "Привет",
    }
    assert form.options["theme"] == ["1", "8"] and form.options["agree"] == ["on"]
    assert form.buttons == [("action", "submit", "Передать показания")]
    assert "locked" not in form.names and "files" not in dict(form.fields)


def test_overrides_and_the_button_are_added_and_replace_defaults():
    form = form_with(PAGE, field="theme")

    data = form.data(button="action=submit", theme="8", agree="on")

    assert ("theme", "8") in data and ("theme", "1") not in data
    assert ("agree", "on") in data and data[-1] == ("action", "submit")


def test_forms_are_found_by_action_and_method():
    assert form_with(PAGE, action="/logout/").fields == [("csrfmiddlewaretoken", "t1")]
    assert form_with(PAGE, field="text", method="get") is None
    assert len(forms_of(PAGE)) == 2

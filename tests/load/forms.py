"""Just enough HTML form handling for the load generator: find a form, take what a browser would send, fill in fields.

A browser submits every named input with its value, ticked checkboxes and radios, each select's chosen option and
the button pressed; `Form.data()` gives the same, so the load script does not have to know every hidden field.
"""

import re
from html.parser import HTMLParser


class Form:
    def __init__(self, attrs: dict):
        self.action = attrs.get("action")
        self.method = (attrs.get("method") or "get").lower()
        self.attrs = attrs
        self.fields: list[tuple[str, str]] = []  # what a browser would send without a click
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, text)
        self.names: set[str] = set()  # every field name, sent or not (unticked boxes, selects' options)
        self.options: dict[str, list[str]] = {}

    def data(self, button: str | None = None, **overrides) -> list[tuple[str, str]]:
        """The fields, with `overrides` replacing (or adding) values; `button` is the name=value of the button."""
        sent = [(name, value) for name, value in self.fields if name not in overrides]
        for name, value in overrides.items():
            for item in value if isinstance(value, list) else [value]:
                sent.append((name, str(item)))
        if button:
            name, _eq, value = button.partition("=")
            sent.append((name, value))
        return sent


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.option: str | None = None
        self.option_text = ""
        self.textarea: str | None = None
        self.textarea_text = ""
        self.button: tuple[str, str] | None = None
        self.button_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        if self.form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            self.form.names.add(name)
            if kind in ("checkbox", "radio"):
                self.form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self.form.fields.append((name, attrs.get("value", "on")))
            elif kind in ("submit", "image", "button"):
                self.form.buttons.append((name, attrs.get("value", ""), attrs.get("value", "")))
            elif kind != "file":
                self.form.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = (name, [], [])
            self.form.names.add(name)
        elif tag == "option" and self.select:
            self.option = attrs.get("value")
            self.option_text = ""
            if "selected" in attrs:
                self.select[2].append(self.option if self.option is not None else "")
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, ""
            self.form.names.add(name)
        elif tag == "button" and name:
            self.button, self.button_text = (name, attrs.get("value", "")), ""

    def handle_data(self, data):
        if self.option is not None or (self.select and self.option is None):
            self.option_text += data
        if self.textarea:
            self.textarea_text += data
        if self.button:
            self.button_text += data

    def handle_endtag(self, tag):
        if tag == "option" and self.select:
            value = self.option if self.option is not None else self.option_text.strip()
            self.select[1].append(value)
            self.option = None
        elif tag == "select" and self.select and self.form:
            name, options, selected = self.select
            self.form.options[name] = options
            chosen = selected[-1:] or options[:1]
            self.form.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea and self.form:
            text = self.textarea_text
            self.form.fields.append((self.textarea, text[1:] if text.startswith("\n") else text))  # as HTML parses it
            self.textarea = None
        elif tag == "button" and self.button and self.form:
            self.form.buttons.append((*self.button, " ".join(self.button_text.split())))
            self.button = None
        elif tag == "form":
            self.form = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str | None = None, action: str | None = None, method: str = "post") -> Form | None:
    """The first form (of `method`) that has the field named `field` (a regular expression) or whose action contains
    `action`."""
    for form in forms_of(html):
        if form.method != method:
            continue
        if field and not any(re.fullmatch(field, name) for name in form.names):
            continue
        if action and action not in (form.action or ""):
            continue
        return form
    return None

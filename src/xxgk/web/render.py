"""The Jinja2 environment of the pages: autoescaped (report text is never marked safe), with the
gettext catalogue installed so templates say `{{ _("…") }}` in the reader's language."""

from __future__ import annotations

import json
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from xxgk import vocabulary
from xxgk.corpus.indicators import indicator_doc, indicator_name
from xxgk.i18n import current_lang, gettext, ngettext
from xxgk.review.reports import decision_name, state_name


def number(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _env() -> Environment:
    env = Environment(loader=PackageLoader("xxgk.web", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    # Old-style callables: `_()` returns a plain string, which autoescape then escapes.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        lang=current_lang, state_name=state_name, decision_name=decision_name,
        status_name=vocabulary.status_name, severity_name=vocabulary.severity_name,
        level_name=vocabulary.level_name, location_text=vocabulary.location_text,
        indicator_name=indicator_name, indicator_doc=indicator_doc,
    )
    env.filters["number"] = number
    # Plain JSON text (escaped by autoescape like any text), readable Chinese: for showing, not for scripts.
    env.filters["jsontext"] = lambda v: "" if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)
    return env


templates = Jinja2Templates(env=_env())

"""Month labels in the reader's language: "November 2026", "2026年11月" (never a day such as "Nov 1")."""
import babel.dates

from odoo.tools.misc import babel_locale_parse, get_lang

SKELETONS = {"long": "yMMMM", "short": "yMMM", "month": "MMM"}


def month_label(env, day, style="long"):
    """The month of `day` (a date) as a reader of `env`'s language writes it: "November 2026" / "2026年11月"
    (long), "Nov 2026" / "2026年11月" (short), "Nov" / "11月" (month); empty for no date."""
    if not day:
        return ""
    locale = babel_locale_parse(get_lang(env).code)
    return babel.dates.format_skeleton(SKELETONS[style], day, locale=locale)

"""HTML building blocks for the server-rendered pages.

All user text goes through markupsafe: `Markup(...).format(...)` escapes
every argument that is not already Markup.
"""
from datetime import datetime, timezone

from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from services.common.actors import WIDE_SCOPE_ROLES
from services.common.calendar import local_date, work_year
from services.common.units import UnknownUnit, get_unit

CSS = """
body{font-family:"Liberation Sans",Arial,sans-serif;margin:0;color:#222}
header{display:flex;align-items:center;gap:1em;background:#8b1a1a;color:#fff;
padding:.5em 1em}
header a{color:#fff}
header button{color:#222;background:#fff;border:0;padding:.3em .8em;
border-radius:4px}
header .guide{font-weight:bold;text-decoration:none;border:1px solid #fff;
padding:.2em .6em;border-radius:4px}
header .guide .icon{display:inline-block;width:1.2em;height:1.2em;
border-radius:50%;background:#fff;color:#8b1a1a;text-align:center;
line-height:1.2em;margin-right:.3em}
header .who{margin-left:auto}
header form{display:inline}
.report{background:#f0ad4e;border:0;padding:.3em .8em;border-radius:4px;
color:#222!important}
main{padding:1em 2em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left}
tr.overdue td{background:#f8d7da;color:#842029}
tr.urgent td{background:#ffe5b4}
.deadline.overdue{background:#f8d7da;color:#842029;padding:0 .3em}
.deadline.urgent{background:#ffe5b4;padding:0 .3em}
.error{color:#842029;background:#f8d7da;padding:.6em;border-radius:4px}
.help{float:right;font-size:.9em}
label{display:block;margin:.4em 0}
.filters label{display:inline-block;margin:.2em 1em .2em 0}
a.button{display:inline-block;background:#8b1a1a;color:#fff;padding:.3em .9em;
border-radius:4px;text-decoration:none}
.scroll{overflow-x:auto}
table.register{font-size:.85em}
table.register th{text-align:center;vertical-align:middle;background:#f3ece4}
table.register td{vertical-align:top;white-space:pre-line}
table.register td.center{text-align:center}
table.register td.right{text-align:right}
table.register tr.closing td{color:#b00000;font-weight:bold;background:#fdf0f0;
border-top:2px solid #b00000}
"""


# The pages load nothing from other origins and run no script.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                               "script-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def unit_name(code):
    try:
        return get_unit(code).name if code else ""
    except UnknownUnit:
        return code


def register_links(ctx):
    """Return the top bar's links to the registers list and, for a user of
    one unit, to the unit's Sổ thụ lý (Mẫu 03) of the current work year."""
    links = Markup('<a href="/so">Sổ</a>')
    if ctx.user.unit and ctx.role not in WIDE_SCOPE_ROLES:
        year = work_year(local_date(datetime.now(timezone.utc)))
        links += Markup('<a href="/so/03/{}/{}">Sổ thụ lý</a>').format(
            ctx.user.unit, year)
    return links


def top_bar(ctx):
    if ctx is None:
        who = nav = Markup("")
    else:
        nav = register_links(ctx)
        who = Markup(
            '<span class="who">{} · {}</span>'
            '<form method="post" action="/dang-xuat">'
            '<input type="hidden" name="csrf_token" value="{}">'
            '<button type="submit">Đăng xuất</button></form>'
        ).format(ctx.user.full_name, unit_name(ctx.user.unit) or "Toàn quốc",
                 ctx.csrf_token)
    return Markup(
        '<header><a class="guide" href="/huong-dan" title="Hướng dẫn sử dụng">'
        '<span class="icon">?</span>Hướng dẫn</a><a href="/">Trang chủ</a>{}{}'
        '<button type="button" class="report" id="bao-loi" disabled '
        'title="Báo lỗi cho bộ phận hỗ trợ">Báo lỗi</button></header>'
    ).format(nav, who)


def page(ctx, title, body, help_anchor=None, status=200):
    """Return a full HTML page with the top bar."""
    help_link = Markup("")
    if help_anchor:
        help_link = Markup(
            '<a class="help" href="/huong-dan#{}">Hướng dẫn cho trang này</a>'
        ).format(help_anchor)
    html = Markup(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<title>{} – THADS</title><style>{}</style></head><body>{}'
        '<main>{}<h1>{}</h1>{}</main></body></html>'
    ).format(title, Markup(CSS), top_bar(ctx), help_link, title, body)
    return Response(str(html), status=status, mimetype="text/html",
                    headers=SECURITY_HEADERS)


def csrf_field(ctx):
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        ctx.csrf_token)


def hidden(name, value):
    return Markup('<input type="hidden" name="{}" value="{}">').format(name, value)


def post_form(ctx, action, button, fields=Markup("")):
    return Markup('<form method="post" action="{}">{}{}'
                  '<button type="submit">{}</button></form>').format(
        action, csrf_field(ctx), fields, button)


def table(headers, rows, row_classes=None):
    head = Markup("").join(Markup("<th>{}</th>").format(h) for h in headers)
    lines = []
    for index, row in enumerate(rows):
        cells = Markup("").join(Markup("<td>{}</td>").format(c) for c in row)
        css = row_classes[index] if row_classes else ""
        lines.append(Markup('<tr class="{}">{}</tr>').format(css, cells))
    return Markup("<table><tr>{}</tr>{}</table>").format(head, Markup("").join(lines))


def link(href, text):
    return Markup('<a href="{}">{}</a>').format(href, text)


def error_box(message):
    return Markup('<p class="error">{}</p>').format(message)


__all__ = ["Markup", "escape", "page", "table", "link", "post_form", "hidden",
           "csrf_field", "error_box", "unit_name"]

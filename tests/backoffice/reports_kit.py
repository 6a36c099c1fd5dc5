"""Builders shared by the report tests: the «Отчёты» menu as a clerk sees it, the rows of a report's table."""

import re

from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import admin_menu


def report_menu(user) -> list[str]:
    """The labels of «Отчёты» as the admin's menu shows them to `user` (empty when the menu is hidden)."""
    reverse("wagtailadmin_home")  # loads the admin URLs, which register the hooks
    request = RequestFactory().get("/admin/")
    request.user = user
    items = {item.name: item for item in admin_menu.menu_items_for_request(request)}
    if "backoffice-reports" not in items:
        return []
    return [str(item.label) for item in items["backoffice-reports"].menu.menu_items_for_request(request)]


def rows_of(html: str) -> list[list[str]]:
    """The cells of the report's table («listing»), header row first, as text."""
    start = html.index('class="listing"')
    table = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        rows.append([cell.replace("\xa0", " ") for cell in cells])
    return rows

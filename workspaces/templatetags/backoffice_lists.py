"""`{% backoffice_result_list cl %}`: Django's `{% result_list cl %}` (the same template, the same markup) with the
rows written by `workspaces.admin_rows` (templates/admin/change_list.html)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from workspaces.admin_rows import result_list

register = template.Library()


@register.tag(name="backoffice_result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )

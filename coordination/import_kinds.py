"""The client and log imports as tabular import kinds (registered in apps.CoordinationConfig.ready)."""

from accounts.access import office_of
from coordination.clients.resources import ClientResource
from coordination.logs.resources import ContactLogImportResource
from tabular.imports import ImportKind

# Importing adds and updates clients and adds logs: coordinators only, never supervisors or ward staff.
IMPORT_PERMISSIONS = ("coordination.add_client", "coordination.change_client", "coordination.add_contactlog")


def _office_resource(resource_class):
    """Builds the kind's resource for the signed-in user's office (403 for a user without one)."""

    def make_resource(request, sheet):
        return resource_class(office=office_of(request), user=request.user, sheet=sheet)

    return make_resource


IMPORT_KINDS = [
    ImportKind(
        identifier="clients",
        verbose_name="相談対象者",
        resource_class=ClientResource,
        template_stem="取込ひな形_相談対象者",
        permissions=IMPORT_PERMISSIONS,
        list_url="client_list",
        make_resource=_office_resource(ClientResource),
        help_template="coordination/imports/clients_help.html",
        position=10,
    ),
    ImportKind(
        identifier="logs",
        verbose_name="相談・支援・活動記録",
        resource_class=ContactLogImportResource,
        template_stem="取込ひな形_相談支援記録",
        permissions=IMPORT_PERMISSIONS,
        list_url="log_list",
        make_resource=_office_resource(ContactLogImportResource),
        help_template="coordination/imports/logs_help.html",
        position=20,
    ),
]

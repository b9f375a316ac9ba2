from credentials.views.manage import (
    credential_delete,
    credential_detail,
    credential_edit,
    credential_list,
    credential_move_users,
    credential_replace_key,
    credential_retest,
)
from credentials.views.overlay import credential_create, credential_test_key

__all__ = [
    "credential_create",
    "credential_delete",
    "credential_detail",
    "credential_edit",
    "credential_list",
    "credential_move_users",
    "credential_replace_key",
    "credential_retest",
    "credential_test_key",
]

"""Trying a data source or destination against the provider before it is saved."""

import json
import logging
import string
from dataclasses import dataclass, field

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credentials.audit import Action, record_event
from credentials.models import Credential
from credentials.verification import UNDECRYPTABLE_MESSAGE

logger = logging.getLogger(__name__)

SAMPLE_SIZE = 10
# The record sent by "Send test record": what a small upstream source might produce.
SAMPLE_RECORD = {
    "id": 1,
    "title": "Quarterly report",
    "body": "Revenue grew 12% while costs stayed flat; the team hired two engineers.",
}


@dataclass
class TestRun:
    """The outcome of one test call, ready to render."""

    ok: bool
    message: str
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    prompt: str = ""
    reply: str = ""
    usage: dict = field(default_factory=dict)


@sensitive_variables("key")
def usable_key(credential: Credential) -> str | None:
    """Return the decrypted key, or None when it cannot be decrypted. Decrypts the key column."""
    key = credential.api_key
    if not credential.is_decryptable:
        logger.warning("Credential %s cannot be decrypted with the configured keys", credential.pk)
        return None
    return key


def mark_used(credential: Credential, request, detail: str) -> None:
    # A targeted update, so that a concurrent rename or key change is not overwritten.
    Credential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    record_event(credential, Action.USED, request, detail)


@sensitive_variables("api_key")
def preview_source(credential: Credential, config: dict, request=None) -> TestRun:
    """Fetch the first records the source would read. Makes a network call."""
    api_key = usable_key(credential)
    if api_key is None:
        return TestRun(False, UNDECRYPTABLE_MESSAGE)
    with credential.connector_info.client_class(api_key) as client:
        if config.get("resource") == "key_usage":
            result = client.check_key()
        else:
            result = client.list_models(limit=SAMPLE_SIZE)
    mark_used(credential, request, f"source test: {result.outcome}")
    if not result.ok:
        return TestRun(False, result.message)
    if config.get("resource") == "key_usage":
        info = result.data
        columns = ["label", "usage", "limit", "limit_remaining", "limit_reset", "is_free_tier", "expires_at"]
        rows = [[getattr(info, column) for column in columns]]
        return TestRun(True, "Read 1 record from GET /key.", columns, rows)
    columns = ["id", "name", "context_length", "prompt price", "completion price"]
    rows = [
        [
            model.get("id"),
            model.get("name"),
            model.get("context_length"),
            (model.get("pricing") or {}).get("prompt"),
            (model.get("pricing") or {}).get("completion"),
        ]
        for model in result.data
    ]
    return TestRun(True, f"Read the first {len(rows)} records from GET /models.", columns, rows)


def render_prompt(template: str, record: dict) -> str:
    """Fill ``{field}`` placeholders from the record; ``{record}`` is the whole record as JSON.

    Raises KeyError naming the first placeholder the record lacks.
    """
    values = {**record, "record": json.dumps(record, ensure_ascii=False)}
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name not in values:
            raise KeyError(name)
    return template.format_map(values)


@sensitive_variables("api_key")
def send_test_record(credential: Credential, config: dict, request=None) -> TestRun:
    """Send SAMPLE_RECORD through the destination's prompt to the model. Makes a billed network call."""
    try:
        prompt = render_prompt(config["prompt_template"], SAMPLE_RECORD)
    except KeyError as error:
        fields = ", ".join(["record", *SAMPLE_RECORD])
        return TestRun(False, f"The test record has no field “{error.args[0]}”. Its fields are: {fields}.")
    api_key = usable_key(credential)
    if api_key is None:
        return TestRun(False, UNDECRYPTABLE_MESSAGE, prompt=prompt)
    with credential.connector_info.client_class(api_key) as client:
        result = client.chat_completion(
            config["model"], [{"role": "user", "content": prompt}], max_tokens=config["max_tokens"]
        )
    mark_used(credential, request, f"destination test record: {result.outcome}")
    if not result.ok:
        return TestRun(False, result.message, prompt=prompt)
    return TestRun(True, result.message, prompt=prompt, reply=result.data["reply"], usage=result.data["usage"] or {})

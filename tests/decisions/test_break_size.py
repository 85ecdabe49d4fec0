"""A decision's size is bounded, so one draft cannot stall the service."""
import pytest
from nameko.exceptions import RemoteError

from services.decisions.drafts import MAX_LINES
from tests.decisions.test_workflow import (
    FEE_LINE, OFFICER, content_for, received_judgment, system,  # noqa: F401
)


def many_lines(count):
    return [dict(FEE_LINE, ref=None, mode="ex_officio",
                 description=f"Án phí khoản {index + 1}")
            for index in range(count)]


def test_draft_over_line_limit_is_rejected(system, rpc_proxy):  # noqa: F811
    proxy = rpc_proxy(timeout=60)
    judgment_id = received_judgment(proxy)

    with pytest.raises(RemoteError) as error:
        proxy.decisions.draft(
            OFFICER, content_for(judgment_id, many_lines(MAX_LINES + 1)), "big")

    assert error.value.exc_type == "InvalidInput"
    assert "obligations" in error.value.value


def test_draft_at_line_limit_previews(system, rpc_proxy):  # noqa: F811
    proxy = rpc_proxy(timeout=60)
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, many_lines(MAX_LINES)), "big")

    document = proxy.decisions.pdf(OFFICER, decision_id)

    assert document["filename"].endswith(".pdf")

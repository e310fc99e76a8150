"""Run states: one enum, split into the states a run still writes and the final ones."""

from __future__ import annotations

import json

from packagers.run_states import ACTIVE_STATES, FINAL_STATES, RunState
from packagers.runner.record import RunRecord


def test_every_state_is_active_or_final_never_both() -> None:
    assert set(RunState) == ACTIVE_STATES | FINAL_STATES
    assert not ACTIVE_STATES & FINAL_STATES


def test_a_record_read_back_from_json_has_the_same_state() -> None:
    record = RunRecord(id="r1", project="p", name="n", function="m:f", state=RunState.COMPLETED)
    data = json.loads(json.dumps(record.to_dict()))
    assert data["state"] == "completed"
    again = RunRecord.from_dict(data)
    assert again.state == RunState.COMPLETED and again.state in FINAL_STATES
    assert again.ok

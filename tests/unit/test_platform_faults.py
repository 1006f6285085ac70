"""Platform faults come back as infra_error, never as the learner's failure."""

from __future__ import annotations

from pathlib import Path

from stagecraft.grading.pipeline import _Collector, decide_verdict
from stagecraft.sandbox import JobSpec, run_job


def test_an_engine_that_is_down_is_an_infra_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    (tmp_path / "code").mkdir()
    (tmp_path / "suite").mkdir()
    spec = JobSpec(
        job_id="engine-down",
        runtime="python",
        code_dir=tmp_path / "code",
        start_command="python app.py",
        suite_dir=tmp_path / "suite",
    )
    lines: list[str] = []
    result = run_job(spec, lines.append)
    assert result.ending == "infra_error"
    assert result.detail
    assert lines == []
    verdict, message = decide_verdict(result, _Collector(lambda event: None))
    assert verdict == "infra_error" and "retried" in message

from stagecraft_grader import check_equal


def test_logs(app_control):
    answer = app_control.logs()
    lines = answer.stdout.splitlines()
    check_equal((lines[0], lines[-1]), ("listening on 8000", "GET /healthz 200 ✓"), "first and last stdout lines")
    check_equal(len(answer.stdout), 18 + 20_000 + 20, "stdout length")
    check_equal(answer.stderr, "a warning\n", "stderr")
    check_equal(answer.running, True, "running")

import os


def pytest_unconfigure(config):
    # Outside pytest's capture: the grader must still keep this off its event stream.
    print("printed after the run")
    os.write(1, b"written to fd 1 after the run\n")

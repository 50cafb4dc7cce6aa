"""Benchmark smoke tests run the benchmark script in subprocesses; they are marked ``slow``."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs the benchmark script end to end (about a minute)")

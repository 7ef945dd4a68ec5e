"""A short load run: 8 concurrent clients x 10 requests across all tabs (each client twice through the five),
every answer checked. The long runs are `benchmarks/load.py`'s (--soak)."""

from benchmarks.load import REQUESTS, drive


def test_eight_clients_ten_requests_each_without_errors(app_url):
    result = drive(app_url, clients=8, requests_per_client=10, max_seconds=300)
    assert result.errors == []
    assert result.served == 80
    # Each client cycles through the tabs from its own starting point: an equal share each.
    assert {name: len(values) for name, values in result.latencies.items()} == {name: 80 // len(REQUESTS) for name, _ in REQUESTS}

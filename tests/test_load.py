"""A short load run: 8 concurrent clients x 20 requests across all tabs, every answer checked."""

from benchmarks.load import REQUESTS, drive


def test_eight_clients_twenty_requests_each_without_errors(app_url):
    result = drive(app_url, clients=8, requests_per_client=20, max_seconds=300)
    assert result.errors == []
    assert result.served == 160
    # Each client cycles through the tabs from its own starting point: an equal share each.
    assert {name: len(values) for name, values in result.latencies.items()} == {name: 160 // len(REQUESTS) for name, _ in REQUESTS}

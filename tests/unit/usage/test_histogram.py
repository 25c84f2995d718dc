from sandbox_common.usage.histogram import BUCKET_BOUNDS_MS, bucket_of, percentile


def test_latency_falls_into_the_bucket_whose_upper_bound_covers_it():
    assert BUCKET_BOUNDS_MS[bucket_of(0.2)] == 1
    assert BUCKET_BOUNDS_MS[bucket_of(1.0)] == 1
    assert BUCKET_BOUNDS_MS[bucket_of(1.01)] == 2
    assert BUCKET_BOUNDS_MS[bucket_of(49.9)] == 50


def test_latency_beyond_the_last_bound_lands_in_overflow():
    assert bucket_of(10**6) == len(BUCKET_BOUNDS_MS)
    assert percentile({len(BUCKET_BOUNDS_MS): 3}, 0.5) == BUCKET_BOUNDS_MS[-1]


def test_no_traffic_has_no_percentiles():
    assert percentile({}, 0.95) is None


def test_percentiles_follow_the_distribution():
    # 90 fast requests (<=5 ms), 9 medium (<=100 ms), 1 slow (<=1000 ms)
    counts = {bucket_of(4): 90, bucket_of(80): 9, bucket_of(900): 1}
    assert percentile(counts, 0.50) == 5
    assert percentile(counts, 0.95) == 100
    assert percentile(counts, 0.99) == 100
    assert percentile(counts, 1.0) == 1000

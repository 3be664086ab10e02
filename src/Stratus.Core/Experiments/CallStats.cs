namespace Stratus.Core.Experiments;

/// <summary>
/// Calls one variant served (or, in shadow mode, one shadow ran) over some span: calls, errors and a latency histogram,
/// plus, for shadows, how their answers compared with control's. Merges by adding, so instances and flushes combine.
/// </summary>
public sealed class CallStats
{
    public long Calls { get; set; }

    public long Errors { get; set; }

    /// <summary>Counts per bucket of <see cref="LatencyBuckets"/>.</summary>
    public long[] Latency { get; set; } = new long[LatencyBuckets.Count];

    /// <summary>Shadows: rows compared with control's answer, rows whose label agreed, and the summed absolute difference of regression values.</summary>
    public long ComparedRows { get; set; }

    public long AgreedRows { get; set; }

    public double AbsoluteDifference { get; set; }

    public void Record(TimeSpan elapsed, bool failed)
    {
        Calls++;
        Errors += failed ? 1 : 0;
        Latency[LatencyBuckets.Of(elapsed)]++;
    }

    public void Add(CallStats other)
    {
        Calls += other.Calls;
        Errors += other.Errors;
        ComparedRows += other.ComparedRows;
        AgreedRows += other.AgreedRows;
        AbsoluteDifference += other.AbsoluteDifference;
        for (var i = 0; i < Math.Min(Latency.Length, other.Latency.Length); i++)
        {
            Latency[i] += other.Latency[i];
        }
    }

    public double ErrorRate => Calls == 0 ? 0 : (double)Errors / Calls;

    /// <summary>The latency quantile <paramref name="q"/> in milliseconds (a bucket's upper bound: within 25 % above the true value); null without calls.</summary>
    public double? LatencyMs(double q) => LatencyBuckets.Quantile(Latency, q);
}

/// <summary>
/// Log-spaced latency buckets: bucket i holds latencies up to 10 µs × 1.25^i, so 72 buckets reach past a minute
/// with every bound within 25 % of the next; quantiles read from them are that precise, which is what comparing two
/// versions' p99 needs, at 8 bytes per bucket.
/// </summary>
public static class LatencyBuckets
{
    public const int Count = 72;
    private const double FirstMs = 0.01;
    private const double Growth = 1.25;

    public static int Of(TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        return ms <= FirstMs ? 0 : Math.Min(Count - 1, (int)Math.Ceiling(Math.Log(ms / FirstMs) / Math.Log(Growth)));
    }

    public static double UpperMs(int bucket) => FirstMs * Math.Pow(Growth, bucket);

    public static double? Quantile(IReadOnlyList<long> counts, double q)
    {
        var total = counts.Sum();
        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Round(UpperMs(i), 4);
            }
        }

        return Math.Round(UpperMs(counts.Count - 1), 4);
    }
}

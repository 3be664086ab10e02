using System.Diagnostics;

namespace Stratus.Benchmarks;

public static class Report
{
    /// <summary>Prints one markdown table row: what | concurrency | requests/s | p50 ms | p99 ms | errors.</summary>
    public static void Print(string what, int concurrency, long[] ticks, int seconds, long errors)
    {
        Array.Sort(ticks);
        Console.WriteLine(FormattableString.Invariant($"| {what} | {concurrency} | {ticks.Length / (double)seconds:F0} | {Ms(ticks, 0.50):F3} | {Ms(ticks, 0.99):F3} | {errors} |"));
    }

    /// <summary>The <paramref name="q"/> quantile of sorted stopwatch ticks, in milliseconds (NaN when there are none).</summary>
    public static double Ms(long[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
}

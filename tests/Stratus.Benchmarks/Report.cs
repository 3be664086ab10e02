using System.Diagnostics;

namespace Stratus.Benchmarks;

public static class Report
{
    /// <summary>Prints one markdown table row: what | concurrency | requests/s | p50 ms | p99 ms | errors.</summary>
    public static void Print(string what, int concurrency, long[] ticks, int seconds, long errors)
    {
        Array.Sort(ticks);
        double Ms(double q) => ticks.Length == 0 ? double.NaN : ticks[Math.Min(ticks.Length - 1, (int)(q * ticks.Length))] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(FormattableString.Invariant($"| {what} | {concurrency} | {ticks.Length / (double)seconds:F0} | {Ms(0.50):F3} | {Ms(0.99):F3} | {errors} |"));
    }
}

namespace Stratus.Core.Monitoring;

/// <summary>
/// What one instance observed of one model version in one monitoring window: rows, and per feature (or output) the
/// counts over its reference's bins and the missing count. Counts from any number of instances add up exactly.
/// </summary>
public sealed record WindowCounts
{
    public static WindowCounts Empty { get; } = new();

    public long Rows { get; init; }

    /// <summary>Per feature or output: counts over the reference's bins (the same length for every window of a version).</summary>
    public IReadOnlyDictionary<string, long[]> Bins { get; init; } = new Dictionary<string, long[]>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Missing { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>The sum of both windows' counts (features present in either).</summary>
    public WindowCounts Plus(WindowCounts other)
    {
        var bins = new Dictionary<string, long[]>(Bins, StringComparer.Ordinal);
        foreach (var (feature, counts) in other.Bins)
        {
            if (!bins.TryGetValue(feature, out var mine))
            {
                bins[feature] = [.. counts];
                continue;
            }

            if (mine.Length != counts.Length)
            {
                throw new InvalidOperationException($"Feature '{feature}' has {mine.Length} bins in one window and {counts.Length} in another: different references.");
            }

            bins[feature] = mine.Zip(counts, (a, b) => a + b).ToArray();
        }

        var missing = new Dictionary<string, long>(Missing, StringComparer.Ordinal);
        foreach (var (feature, count) in other.Missing)
        {
            missing[feature] = missing.GetValueOrDefault(feature) + count;
        }

        return new WindowCounts { Rows = Rows + other.Rows, Bins = bins, Missing = missing };
    }
}

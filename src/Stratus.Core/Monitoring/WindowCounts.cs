namespace Stratus.Core.Monitoring;

/// <summary>
/// What one instance observed of one model version in one monitoring window: rows, and per feature (or output) the
/// counts over its reference's bins and the missing count. Counts from any number of instances add up exactly.
/// </summary>
public sealed record WindowCounts
{
    public static WindowCounts Empty { get; } = new();

    public long Rows { get; init; }

    /// <summary>
    /// The reference whose bins these counts are over (its <c>Id</c>): a version's reference can be replaced, and counts
    /// over old bins must not be added to counts over new ones.
    /// </summary>
    public string Reference { get; init; } = "";

    /// <summary>Per feature or output: counts over the reference's bins (the same length for every window of a version).</summary>
    public IReadOnlyDictionary<string, long[]> Bins { get; init; } = new Dictionary<string, long[]>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Missing { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Per count-and-sum sketch (performance estimation): values counted per bin.</summary>
    public IReadOnlyDictionary<string, long[]> SumCounts { get; init; } = new Dictionary<string, long[]>(StringComparer.Ordinal);

    /// <summary>Per count-and-sum sketch: the values' sum per bin.</summary>
    public IReadOnlyDictionary<string, double[]> Sums { get; init; } = new Dictionary<string, double[]>(StringComparer.Ordinal);

    /// <summary>The sum of both windows' counts (features present in either).</summary>
    public WindowCounts Plus(WindowCounts other)
    {
        var missing = new Dictionary<string, long>(Missing, StringComparer.Ordinal);
        foreach (var (feature, count) in other.Missing)
        {
            missing[feature] = missing.GetValueOrDefault(feature) + count;
        }

        return new WindowCounts
        {
            Rows = Rows + other.Rows,
            Reference = Rows == 0 ? other.Reference : Reference,
            Bins = Add(Bins, other.Bins, (a, b) => a + b),
            Missing = missing,
            SumCounts = Add(SumCounts, other.SumCounts, (a, b) => a + b),
            Sums = Add(Sums, other.Sums, (a, b) => a + b),
        };
    }

    private static Dictionary<string, T[]> Add<T>(IReadOnlyDictionary<string, T[]> mine, IReadOnlyDictionary<string, T[]> theirs, Func<T, T, T> add)
    {
        var merged = new Dictionary<string, T[]>(mine, StringComparer.Ordinal);
        foreach (var (name, values) in theirs)
        {
            if (!merged.TryGetValue(name, out var own))
            {
                merged[name] = [.. values];
                continue;
            }

            if (own.Length != values.Length)
            {
                throw new InvalidOperationException($"'{name}' has {own.Length} bins in one window and {values.Length} in another: different references.");
            }

            merged[name] = own.Zip(values, add).ToArray();
        }

        return merged;
    }
}

namespace Stratus.Monitoring.Sketches;

/// <summary>
/// A text feature's distribution: counts of the reference's categories plus one "other" bucket for everything the
/// reference never held, and missing values apart. O(categories); merges by adding counts.
/// </summary>
public sealed class CategoricalSketch
{
    private readonly Dictionary<string, int> _index;
    private readonly long[] _counts;

    public CategoricalSketch(IReadOnlyList<string> categories)
    {
        Categories = [.. categories.Distinct(StringComparer.Ordinal)];
        _index = Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        _counts = new long[Categories.Count + 1];
    }

    public IReadOnlyList<string> Categories { get; }

    /// <summary>Counts per category in <see cref="Categories"/> order, then the "other" bucket.</summary>
    public IReadOnlyList<long> Counts => _counts;

    public long Missing { get; private set; }

    public long Total { get; private set; }

    /// <summary>A sketch of <paramref name="reference"/> over its own categories (most frequent first, at most <paramref name="maxCategories"/>).</summary>
    public static CategoricalSketch FromReference(IReadOnlyCollection<string?> reference, int maxCategories = 100)
    {
        var categories = reference.Where(v => !string.IsNullOrEmpty(v))
            .GroupBy(v => v!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(maxCategories)
            .Select(g => g.Key)
            .ToArray();
        var sketch = new CategoricalSketch(categories);
        foreach (var value in reference)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    public void Add(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Missing++;
            return;
        }

        _counts[_index.TryGetValue(value, out var i) ? i : _counts.Length - 1]++;
        Total++;
    }

    /// <summary>Restores a stored sketch.</summary>
    public static CategoricalSketch Restore(IReadOnlyList<string> categories, IReadOnlyList<long> counts, long missing)
    {
        var sketch = new CategoricalSketch(categories);
        if (counts.Count != sketch._counts.Length)
        {
            throw new ArgumentException($"Expected {sketch._counts.Length} counts for {categories.Count} categories.", nameof(counts));
        }

        for (var i = 0; i < counts.Count; i++)
        {
            sketch._counts[i] = counts[i];
            sketch.Total += counts[i];
        }

        sketch.Missing = missing;
        return sketch;
    }

    public void Merge(CategoricalSketch other)
    {
        if (!Categories.SequenceEqual(other.Categories, StringComparer.Ordinal))
        {
            throw new ArgumentException("Only sketches over the same categories merge.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Missing += other.Missing;
        Total += other.Total;
    }
}

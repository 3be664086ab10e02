namespace Stratus.Monitoring.Sketches;

/// <summary>
/// A numeric feature's distribution in O(bins) space: counts over bins whose edges come from a reference set's
/// quantiles, plus a bin below the reference minimum, one above its maximum, and a count of missing values (NaN).
/// Sketches with the same edges merge by adding counts, so partial windows recorded by any number of instances
/// combine exactly.
/// </summary>
public sealed class NumericSketch
{
    private readonly double[] _edges;
    private readonly long[] _counts;

    /// <param name="edges">Strictly increasing; the first is the reference minimum, the last its maximum.</param>
    public NumericSketch(IReadOnlyList<double> edges)
    {
        if (edges.Count < 2 || edges.Zip(edges.Skip(1)).Any(p => !(p.First < p.Second)))
        {
            throw new ArgumentException("Edges must be at least two strictly increasing values.", nameof(edges));
        }

        _edges = [.. edges];
        _counts = new long[_edges.Length + 1];
    }

    /// <summary>The bin edges, from the reference's minimum to its maximum.</summary>
    public IReadOnlyList<double> Edges => _edges;

    /// <summary>
    /// Counts per bin: [0] below the first edge; [i] in [edge i−1, edge i) for 1 ≤ i &lt; edges; the last bin of the range is
    /// closed ([edge n−2, edge n−1]); [edges] above the last edge.
    /// </summary>
    public IReadOnlyList<long> Counts => _counts;

    public long Missing { get; private set; }

    /// <summary>Values counted in bins (missing values apart).</summary>
    public long Total { get; private set; }

    /// <summary>Edges at the reference's quantiles 0, 1/q, …, 1 (duplicates from repeated values dropped).</summary>
    public static double[] QuantileEdges(IEnumerable<double> reference, int quantiles = 100)
    {
        var sorted = reference.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("The reference has no values.", nameof(reference));
        }

        var edges = Enumerable.Range(0, quantiles + 1)
            .Select(i => sorted[(int)Math.Round((double)i / quantiles * (sorted.Length - 1))])
            .Distinct()
            .ToArray();

        // A constant column still needs a range: one bin around its value.
        return edges.Length > 1 ? edges : [edges[0], Math.BitIncrement(edges[0])];
    }

    /// <summary>A sketch of <paramref name="reference"/> over its own quantile edges.</summary>
    public static NumericSketch FromReference(IReadOnlyCollection<double> reference, int quantiles = 100)
    {
        var sketch = new NumericSketch(QuantileEdges(reference, quantiles));
        foreach (var value in reference)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            Missing++;
            return;
        }

        _counts[BinOf(value)]++;
        Total++;
    }

    /// <summary>Adds another sketch's counts (same edges: the same reference).</summary>
    public void Merge(NumericSketch other)
    {
        if (!_edges.AsSpan().SequenceEqual(other._edges))
        {
            throw new ArgumentException("Only sketches over the same edges merge.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Missing += other.Missing;
        Total += other.Total;
    }

    /// <summary>Restores a stored sketch.</summary>
    public static NumericSketch Restore(IReadOnlyList<double> edges, IReadOnlyList<long> counts, long missing)
    {
        var sketch = new NumericSketch(edges);
        if (counts.Count != sketch._counts.Length)
        {
            throw new ArgumentException($"Expected {sketch._counts.Length} counts for {edges.Count} edges.", nameof(counts));
        }

        for (var i = 0; i < counts.Count; i++)
        {
            sketch._counts[i] = counts[i];
            sketch.Total += counts[i];
        }

        sketch.Missing = missing;
        return sketch;
    }

    /// <summary>
    /// The counts in <paramref name="groups"/> contiguous groups of the range's bins (as equal in reference mass as the
    /// quantile edges make them), the below-range bin joined to the first and the above-range bin to the last: the
    /// coarse bins PSI is computed on (10 by default), while KS uses the fine ones.
    /// </summary>
    public long[] Grouped(int groups = 10)
    {
        var inner = _counts.Length - 2;
        groups = Math.Clamp(groups, 1, inner);
        var grouped = new long[groups];
        for (var i = 0; i < inner; i++)
        {
            grouped[(int)((long)i * groups / inner)] += _counts[i + 1];
        }

        grouped[0] += _counts[0];
        grouped[^1] += _counts[^1];
        return grouped;
    }

    /// <summary>The label of each of <see cref="Grouped"/>'s groups: its value range, open-ended at both ends.</summary>
    public string[] GroupLabels(int groups = 10)
    {
        var inner = _counts.Length - 2;
        groups = Math.Clamp(groups, 1, inner);
        var lower = new double[groups];
        var upper = new double[groups];
        for (var i = inner - 1; i >= 0; i--)
        {
            var g = (int)((long)i * groups / inner);
            lower[g] = _edges[i];
        }

        for (var i = 0; i < inner; i++)
        {
            upper[(int)((long)i * groups / inner)] = _edges[i + 1];
        }

        return Enumerable.Range(0, groups).Select(g =>
            groups == 1 ? "all"
            : g == 0 ? $"< {Number(upper[g])}"
            : g == groups - 1 ? $"≥ {Number(lower[g])}"
            : $"{Number(lower[g])} – {Number(upper[g])}").ToArray();

        static string Number(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
    }

    private int BinOf(double value)
    {
        if (value < _edges[0])
        {
            return 0;
        }

        if (value > _edges[^1])
        {
            return _edges.Length;
        }

        if (value == _edges[^1])
        {
            return _edges.Length - 1; // the range's last bin is closed
        }

        // The first edge greater than the value closes its bin.
        var index = Array.BinarySearch(_edges, value);
        return index >= 0 ? index + 1 : ~index;
    }
}

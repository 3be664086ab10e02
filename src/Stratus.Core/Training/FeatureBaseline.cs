namespace Stratus.Core.Training;

/// <summary>
/// The training distribution of one feature, kept with the model version so monitoring can compare live
/// inputs against it (PSI, KS / chi-square): quantile bin edges and frequencies for numbers, category
/// frequencies for strings.
/// </summary>
public sealed record FeatureBaseline
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public long Count { get; init; }
    public long Missing { get; init; }

    /// <summary>Inner bin edges (numbers): bin i holds values in (edge[i-1], edge[i]].</summary>
    public IReadOnlyList<double>? BinEdges { get; init; }

    /// <summary>Share of rows per bin; one more entry than <see cref="BinEdges"/>.</summary>
    public IReadOnlyList<double>? BinFrequencies { get; init; }

    /// <summary>Share of rows per category (strings), most frequent first.</summary>
    public IReadOnlyDictionary<string, double>? Categories { get; init; }
}

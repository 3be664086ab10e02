namespace Stratus.Core.Datasets;

/// <summary>
/// One immutable, content-addressed version of a tabular dataset: the same bytes always give the same
/// <see cref="Version"/>, so a dataset is never stored twice and a training run can name exactly what it used.
/// </summary>
public sealed record DatasetVersion
{
    public required string Name { get; init; }

    /// <summary>The first 16 hex characters of <see cref="Sha256"/>.</summary>
    public required string Version { get; init; }

    public required string Sha256 { get; init; }
    public required long SizeBytes { get; init; }
    public required int Rows { get; init; }
    public required IReadOnlyList<DatasetColumn> Columns { get; init; }

    /// <summary>Blob name inside the datasets container.</summary>
    public required string BlobPath { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public static string VersionOf(string sha256) => sha256[..16];

    public static string PathOf(string name, string version) => $"{name}/{version}.csv";

    /// <summary>Parses <c>name</c> or <c>name@version</c>.</summary>
    public static (string Name, string? Version) ParseReference(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (reference, null) : (reference[..at], reference[(at + 1)..]);
    }
}

/// <summary>A column and its inferred type: <see cref="Number"/> when every non-empty value parses as one, else <see cref="Text"/>.</summary>
public sealed record DatasetColumn(string Name, string Type)
{
    public const string Number = "number";
    public const string Text = "string";

    /// <summary>Most distinct values a profile lists for a column.</summary>
    public const int MaxListedValues = 20;

    /// <summary>Longest value a profile lists; a column with a longer one lists none.</summary>
    public const int MaxListedValueLength = 64;

    /// <summary>
    /// The column's distinct non-empty values when there are at most <see cref="MaxListedValues"/> short ones (labels,
    /// categories) and the dataset's listing budget allows; else null.
    /// </summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>Rows where the column is empty.</summary>
    public int Missing { get; init; }

    public bool Equals(DatasetColumn? other) =>
        other is not null && Name == other.Name && Type == other.Type && Missing == other.Missing &&
        (Values ?? []).SequenceEqual(other.Values ?? []) && (Values is null) == (other.Values is null);

    public override int GetHashCode() => HashCode.Combine(Name, Type);
}

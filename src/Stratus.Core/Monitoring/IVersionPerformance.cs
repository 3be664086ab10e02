namespace Stratus.Core.Monitoring;

/// <summary>One ML metric of a version over a range: realized from feedback when enough labels arrived, else estimated.</summary>
public sealed record PerformanceFigure(double Value, string Source, long Rows)
{
    public const string Realized = "realized";
    public const string Estimated = "estimated";
}

/// <summary>A version's monitoring verdict and ML metrics over a range, as other features (experiments) show them.</summary>
public sealed record VersionPerformance(int Version, string Verdict, long Rows, IReadOnlyDictionary<string, PerformanceFigure> Metrics);

/// <summary>Monitoring's summary of one version, for readers that must not depend on monitoring itself.</summary>
public interface IVersionPerformance
{
    Task<VersionPerformance> GetAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

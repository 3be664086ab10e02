using System.Text.Json;
using Stratus.Core.Abstractions;
using Stratus.Core.Errors;
using Stratus.Core.Monitoring;
using Stratus.Registry;

namespace Stratus.Reliability.Reports;

/// <summary>
/// A version's monitoring report reduced to what experiments show next to the business metric: the verdict and
/// each ML metric, realized from feedback once <see cref="PerformanceVerdict.MinRealizedRows"/> labels arrived, else estimated.
/// </summary>
public sealed class VersionPerformanceReader(IModelRegistry registry, MonitoringReportService reports) : IVersionPerformance
{
    public async Task<VersionPerformance> GetAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(model);
        var report = await reports.EvaluateAsync(card, version, from, to, cancellationToken);
        var metrics = report.Estimated.ToDictionary(e => e.Key, e => new PerformanceFigure(e.Value.Value, PerformanceFigure.Estimated, e.Value.Rows), StringComparer.Ordinal);
        if (report.Realized.Rows >= PerformanceVerdict.MinRealizedRows)
        {
            foreach (var (name, value) in report.Realized.Metrics)
            {
                metrics[name] = new PerformanceFigure(value, PerformanceFigure.Realized, report.Realized.Rows);
            }
        }

        return new VersionPerformance(version, JsonNamingPolicy.KebabCaseLower.ConvertName(report.Verdict.ToString()), report.Rows, metrics);
    }
}

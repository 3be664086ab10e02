using Stratus.Core.Abstractions;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Registry;
using Stratus.Reliability.References;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.Reports;

/// <summary>
/// Drift and realized performance of one version over a range: the merged windows of every instance against the
/// reference, with the card's thresholds, and the feedback joined in the range.
/// </summary>
public sealed class MonitoringReportService(
    IModelRegistry registry,
    IVersionSelector selector,
    MonitoredVersions versions,
    IMonitoringStore windows,
    IFeedbackStore feedback,
    WindowRecorder recorder,
    ReliabilityTelemetry telemetry,
    TimeProvider clock)
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    /// <summary>The report for <paramref name="version"/> (default: the champion) over [from, to) (default: the last 24 h).</summary>
    public async Task<MonitoringReport> GetAsync(string model, int? version, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(model);
        var selected = (await selector.SelectAsync(card, new ServingTarget(version, null), cancellationToken)).Version;
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end - DefaultRange;
        if (start >= end)
        {
            throw DomainException.Invalid("Invalid range", $"'from' ({start:O}) must be before 'to' ({end:O}).");
        }

        return await EvaluateAsync(card, selected, start, end, cancellationToken);
    }

    public async Task<MonitoringReport> EvaluateAsync(ModelCard card, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var monitored = await versions.GetAsync(card.Name, version, cancellationToken) ?? throw RegistryErrors.VersionNotFound(card.Name, version);
        var thresholds = Thresholds(card.Monitoring);

        // Windows that overlap the range: from the start of the window holding 'from'.
        // Only windows counted over the current reference's bins: a replaced reference's windows do not compare.
        var merged = await windows.ReadMergedAsync(card.Name, version, recorder.Start(from), to, cancellationToken, monitored.Reference?.Sketches.Id);
        var realized = await RealizedAsync(card.Name, version, monitored.Outputs, recorder.Start(from), to, cancellationToken);

        if (monitored.Reference is not { } reference)
        {
            return new MonitoringReport
            {
                Model = card.Name,
                Version = version,
                From = from,
                To = to,
                Rows = merged.Rows,
                Features = [],
                Outputs = [],
                DriftShare = 0,
                DatasetDrift = false,
                Realized = realized,
                Estimated = new Dictionary<string, EstimatedMetric>(),
                Estimation = EstimationInfo.Unavailable("the version has no reference"),
                Verdict = DriftVerdict.InsufficientData,
                Reasons = [$"{card.Name} v{version} has no reference: upload one with PUT /api/models/{card.Name}/versions/{version}/reference (text/csv with the features and a label column)"],
                Thresholds = thresholds,
            };
        }

        var all = reference.Sketches.Compare(merged, thresholds);
        var features = all.Features.Where(f => !f.Feature.StartsWith(ReferenceSet.OutputPrefix, StringComparison.Ordinal)).ToArray();
        var outputs = all.Features.Where(f => f.Feature.StartsWith(ReferenceSet.OutputPrefix, StringComparison.Ordinal))
            .Select(f => f with { Feature = f.Feature[ReferenceSet.OutputPrefix.Length..] }).ToArray();
        var report = DriftEvaluator.Report(merged.Rows, features, thresholds);
        foreach (var f in all.Features.Where(f => !f.InsufficientData))
        {
            telemetry.RecordPsi(card.Name, version, f.Feature, f.Psi);
        }

        var (estimated, estimation) = PerformanceVerdict.Estimate(reference, merged, realized, thresholds);
        var (verdict, reasons) = PerformanceVerdict.Combine(report.Verdict, report.Reasons, estimated, thresholds);

        return new MonitoringReport
        {
            Model = card.Name,
            Version = version,
            From = from,
            To = to,
            Rows = merged.Rows,
            Reference = new ReferenceInfo(reference.Source, reference.Rows, reference.CreatedAt, reference.Metrics),
            Features = features,
            Outputs = outputs,
            DriftShare = report.DriftShare,
            DatasetDrift = report.DatasetDrift,
            Realized = realized,
            Estimated = estimated,
            Estimation = estimation,
            Verdict = verdict,
            Reasons = reasons,
            Thresholds = thresholds,
        };
    }

    public static DriftThresholds Thresholds(MonitoringPolicy? policy)
    {
        var defaults = new DriftThresholds();
        return policy is null ? defaults : new DriftThresholds
        {
            Psi = policy.Psi ?? defaults.Psi,
            PValue = policy.PValue ?? defaults.PValue,
            DriftShare = policy.DriftShare ?? defaults.DriftShare,
            MinRows = policy.MinRows ?? defaults.MinRows,
            EstimatedDrop = policy.EstimatedDrop ?? defaults.EstimatedDrop,
        };
    }

    private async Task<RealizedInfo> RealizedAsync(string model, int version, OutputReader outputs, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var predicted = new List<OutputRow>();
        var labels = new List<string>();
        var values = new List<double>();
        await foreach (var item in feedback.ReadAsync(model, version, from, to, cancellationToken))
        {
            var p = item.Prediction;
            predicted.Add(new OutputRow(p.Label, p.Scores, p.Value));
            labels.Add(item.TrueLabel ?? "");
            values.Add(item.TrueValue ?? double.NaN);
        }

        if (predicted.Count == 0)
        {
            return new RealizedInfo(0, new Dictionary<string, double>());
        }

        var metrics = outputs.IsClassifier
            ? RealizedMetrics.Classification(outputs.Task, outputs.Classes, predicted, labels)
            : RealizedMetrics.Regression(predicted, values);
        return new RealizedInfo(predicted.Count, metrics);
    }
}

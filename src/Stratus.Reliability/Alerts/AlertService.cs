using System.Text.Json;
using Stratus.Core.Abstractions;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Reliability.Reports;

namespace Stratus.Reliability.Alerts;

/// <summary>One model's evaluation in a MonitorAll run.</summary>
public sealed record ModelEvaluation(string Model, int? Version, string Verdict, MonitoringAlert? Alert);

/// <summary>
/// Evaluates a model's served version over the last window range and acts on a breach (verdict <c>drift</c>): stores
/// the alert, notifies (structured log, metric, webhook) and, when the policy says <c>retrain</c>, starts one run per
/// cooldown, and only on data the version has not seen.
/// </summary>
public sealed partial class AlertService(
    IModelRegistry registry,
    MonitoringReportService reports,
    IAlertStore alerts,
    WebhookNotifier webhook,
    ReliabilityTelemetry telemetry,
    TimeProvider clock,
    ILogger<AlertService> logger)
{
    public async Task<ModelEvaluation> EvaluateAsync(string model, string evaluationId, IRetrainTrigger retrain, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value;
        if (card is null || !card.Aliases.TryGetValue(Aliases.Champion, out var version))
        {
            return new ModelEvaluation(model, null, "not-served", null);
        }

        var now = clock.GetUtcNow();
        var report = await reports.EvaluateAsync(card, version, now - MonitoringReportService.DefaultRange, now, cancellationToken);
        var verdict = Kebab(report.Verdict);
        if (report.Verdict is not (DriftVerdict.Drift or DriftVerdict.Degraded))
        {
            return new ModelEvaluation(model, version, verdict, null);
        }

        var policy = card.Monitoring ?? new MonitoringPolicy();
        var drift = report.Features.Where(f => f.Drifted).Select(f => new AlertSignal("psi", f.Feature, f.Psi, report.Thresholds.Psi))
            .Prepend(new AlertSignal("driftShare", null, report.DriftShare, report.Thresholds.DriftShare));
        var performance = PerformanceVerdict.Fallen(report.Estimated, report.Thresholds)
            .Select(f => new AlertSignal(f.Signal, f.Metric, f.Value, report.Thresholds.EstimatedDrop));
        var signals = report.Verdict == DriftVerdict.Degraded ? [.. performance, .. drift] : drift.ToArray();
        var id = $"{evaluationId}-{model}";
        var actions = policy.EffectiveActions;
        string? runId = null;
        var notes = new List<string>();
        if (actions.Contains(MonitoringActions.Retrain))
        {
            var cooldown = TimeSpan.FromHours(policy.CooldownHours);
            var recent = (await alerts.ListAsync(model, now - cooldown, cancellationToken)).FirstOrDefault(a => a.RetrainRunId is not null);
            if (recent is not null)
            {
                notes.Add($"retraining held back: run {recent.RetrainRunId} started at {recent.RaisedAt:O}, within the {policy.CooldownHours:0.#} h cooldown");
            }
            else
            {
                var outcome = await retrain.TryStartAsync(card, RetrainRunId(model, now, cooldown), cancellationToken);
                runId = outcome.RunId;
                if (outcome.Note is { } note)
                {
                    notes.Add(note);
                }
            }
        }

        var alert = new MonitoringAlert
        {
            Id = id,
            Model = model,
            Version = version,
            RaisedAt = now,
            From = report.From,
            To = report.To,
            Verdict = verdict,
            Signals = signals,
            Actions = actions,
            RetrainRunId = runId,
            Note = notes.Count == 0 ? null : string.Join("; ", notes),
        };

        if (actions.Contains(MonitoringActions.Notify) && await webhook.NotifyAsync(alert, cancellationToken) is { } failure)
        {
            alert = alert with { Note = alert.Note is null ? failure : $"{alert.Note}; {failure}" };
        }

        await alerts.AddAsync(alert, cancellationToken);
        foreach (var action in actions)
        {
            telemetry.RecordAlert(model, version, action);
        }

        LogAlert(model, version, verdict, report.DriftShare, string.Join(", ", signals.Where(s => s.Feature is not null).Select(s => s.Feature)), runId, alert.Note);
        return new ModelEvaluation(model, version, verdict, alert);
    }

    /// <summary>One id per model and cooldown period: two evaluations racing in the same period start one run.</summary>
    public static string RetrainRunId(string model, DateTimeOffset now, TimeSpan cooldown)
    {
        var period = cooldown > TimeSpan.Zero ? now.UtcTicks / cooldown.Ticks : now.UtcTicks;
        return $"{Core.Training.TrainingRuns.Prefix(model)}drift-{period.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Kebab(DriftVerdict verdict) => JsonNamingPolicy.KebabCaseLower.ConvertName(verdict.ToString());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring alert: {Model} v{Version} {Verdict} (drift share {DriftShare:0.###}; signals on {Features}); retrain run {RunId}; {Note}")]
    private partial void LogAlert(string model, int version, string verdict, double driftShare, string features, string? runId, string? note);
}

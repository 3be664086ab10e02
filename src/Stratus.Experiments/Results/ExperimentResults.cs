using System.Globalization;
using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Errors;
using Stratus.Core.Experiments;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Experiments.Analysis;
using Stratus.Experiments.Routing;
using Stratus.Experiments.Statistics;
using Stratus.Registry;

namespace Stratus.Experiments.Results;

/// <summary>
/// Reads an experiment out (exposures and outcomes aggregated per unit, then per variant, then analysed, with each
/// variant's ML metrics from monitoring beside the business metric) and concludes it (moves the champion alias
/// under the card's ETag and records who did it and why).
/// </summary>
public sealed partial class ExperimentResults(
    IExperimentStore store,
    IExperimentEventStore events,
    IVersionPerformance performance,
    IModelRegistry registry,
    ModelManagementService models,
    RunningExperiments running,
    TimeProvider clock,
    ILogger<ExperimentResults> logger)
{
    public const string DefaultConcluder = "admin";

    public const string Tuning =
        "τ² = (minimumDetectableEffect × control mean)²: the mixture is centred on no effect with the spread of the smallest lift the design cares about, where the test is most powerful";

    public async Task<ExperimentView> GetAsync(string model, string name, CancellationToken cancellationToken) =>
        await ViewAsync((await GetStoredAsync(model, name, cancellationToken)).Value, cancellationToken, withHistory: true);

    /// <summary>
    /// Applies the readout's decision (or <see cref="ConcludeRequest.Variant"/>): shipping a variant points the
    /// champion at its version only while the champion is still where the readout saw it; keeping control leaves it.
    /// </summary>
    public async Task<ExperimentView> ConcludeAsync(string model, string name, ConcludeRequest? request, string? principal, CancellationToken cancellationToken)
    {
        var current = await GetStoredAsync(model, name, cancellationToken);
        var experiment = current.Value;
        if (experiment.State == ExperimentState.Concluded)
        {
            throw DomainException.Conflict("Experiment concluded", Format($"'{name}' was concluded by {experiment.Conclusion?.By} at {experiment.EndedAt:O}."));
        }

        var view = await ViewAsync(experiment, cancellationToken);
        var control = experiment.Variants[0];
        string? ship;
        string decision, reason;
        if (request?.Variant is { } chosen)
        {
            ship = experiment.Variants.Any(v => v.Name == chosen) ? chosen : throw DomainException.Invalid("Invalid variant", Format($"'{name}' has no variant '{chosen}'; it has {string.Join(", ", experiment.Variants.Select(v => v.Name))}."));
            (decision, reason) = (chosen == control.Name ? ExperimentAnalysis.KeepControl : ExperimentAnalysis.ShipPrefix + chosen, Format($"chosen by hand against the readout ('{view.Decision}': {view.Reason})"));
        }
        else if (view.Decision.StartsWith(ExperimentAnalysis.ShipPrefix, StringComparison.Ordinal) || view.Decision == ExperimentAnalysis.KeepControl)
        {
            ship = view.Decision == ExperimentAnalysis.KeepControl ? control.Name : view.Decision[ExperimentAnalysis.ShipPrefix.Length..];
            (decision, reason) = (view.Decision, view.Reason);
        }
        else
        {
            throw DomainException.Conflict("Not decided", Format($"The readout says '{view.Decision}': {view.Reason}. Wait for a decision, or name the variant to ship: {{\"variant\": \"{control.Name}\"}}."));
        }

        var shipped = experiment.Variants.First(v => v.Name == ship);
        int? champion = null;
        if (shipped.Name != control.Name)
        {
            champion = await MoveChampionAsync(experiment, shipped, cancellationToken);
        }

        var by = request?.By ?? principal ?? DefaultConcluder;
        var now = clock.GetUtcNow();
        var conclusion = new ExperimentConclusion(by, decision, request?.Reason is { } why ? Format($"{why} ({reason})") : reason, shipped.Name == control.Name ? null : shipped.Name, champion, now);
        var concluded = await EndAsync(current, conclusion, request?.Reason ?? reason, cancellationToken);
        running.Invalidate(model);
        LogConcluded(model, name, decision, by);
        return view with { Experiment = concluded };
    }

    /// <summary>
    /// Records the conclusion under the experiment's ETag. The champion has moved already (idempotently), so a change
    /// meanwhile that did not end the experiment (a canary's step, its progress) is re-read and concluded again rather
    /// than leaving a moved champion with a running experiment.
    /// </summary>
    private async Task<Experiment> EndAsync(Versioned<Experiment> current, ExperimentConclusion conclusion, string note, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var concluded = current.Value with { State = ExperimentState.Concluded, EndedAt = current.Value.EndedAt ?? conclusion.At, Note = note, Conclusion = conclusion };
            if (await store.EndAsync(current, concluded, cancellationToken))
            {
                return concluded;
            }

            current = await GetStoredAsync(current.Value.Model, current.Value.Name, cancellationToken);
            if (current.Value.State == ExperimentState.Concluded)
            {
                break;
            }
        }

        throw DomainException.Conflict("Experiment changed", Format($"'{current.Value.Name}' was concluded by someone else meanwhile; read it again."));
    }

    /// <summary>Aggregates per unit (binary: converted if any event says 1; continuous: the sum), then per variant.</summary>
    public static (VariantSample[] Samples, int Unattributed) Aggregate(Experiment experiment, ExperimentEvents recorded)
    {
        var binary = experiment.Metric.Kind == ExperimentMetric.Binary;
        var perUnit = new Dictionary<string, double>(StringComparer.Ordinal);
        var unattributed = 0;
        foreach (var outcome in recorded.Outcomes)
        {
            if (!recorded.Units.ContainsKey(outcome.Unit))
            {
                unattributed++;
                continue;
            }

            perUnit[outcome.Unit] = perUnit.TryGetValue(outcome.Unit, out var sum)
                ? binary ? Math.Max(sum, outcome.Value) : sum + outcome.Value
                : outcome.Value;
        }

        var index = experiment.Variants.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var samples = new VariantSample[experiment.Variants.Count];
        foreach (var (unit, variant) in recorded.Units)
        {
            if (index.TryGetValue(variant, out var i))
            {
                var value = perUnit.GetValueOrDefault(unit);
                samples[i] = samples[i].Plus(new VariantSample(1, value, value * value));
            }
        }

        return (samples, unattributed);
    }

    public static ExperimentDesign Design(Experiment experiment) => new(
        experiment.Variants.Select(v => (v.Name, v.Weight)).ToArray(),
        experiment.Metric.Kind == ExperimentMetric.Binary ? MetricKind.Binary : MetricKind.Continuous,
        experiment.Metric.Direction == ExperimentMetric.Decrease ? MetricDirection.Decrease : MetricDirection.Increase,
        experiment.MinimumDetectableEffect,
        experiment.Alpha,
        experiment.Power,
        CheckSampleRatio: experiment.Mode == ExperimentMode.Ab);

    /// <param name="withHistory">Replaying the history costs 20 aggregations: only the readout a person reads needs it.</param>
    private async Task<ExperimentView> ViewAsync(Experiment experiment, CancellationToken cancellationToken, bool withHistory = false)
    {
        var recorded = await events.ReadAsync(experiment.Id, cancellationToken);
        var (samples, unattributed) = Aggregate(experiment, recorded);
        var readout = ExperimentAnalysis.Analyze(Design(experiment), samples);
        var calls = TrafficSlices.Merge(recorded.Traffic, t => t.Calls);
        var to = experiment.EndedAt ?? clock.GetUtcNow();
        var byVersion = new Dictionary<int, VersionPerformance?>();
        foreach (var version in experiment.Variants.Select(v => v.Version).OfType<int>().Distinct())
        {
            byVersion[version] = await PerformanceAsync(experiment, version, to, cancellationToken);
        }

        return new ExperimentView
        {
            Experiment = experiment,
            UnitsNeededPerVariant = readout.UnitsNeededPerVariant,
            Variants = experiment.Variants.Select((v, i) => new VariantView(
                v.Name, v.Version, v.Weight, readout.Variants[i].Units, Views.Finite(readout.Variants[i].Mean), IntervalView.Of(readout.Variants[i].Interval),
                CallsView.Of(calls.GetValueOrDefault(v.Name)), v.Version is { } version ? byVersion[version] : null)).ToArray(),
            Comparisons = readout.Comparisons.Select(Views.Of).ToArray(),
            SampleRatio = new SampleRatioView(readout.SampleRatioPValue, readout.SampleRatioMismatch, ExperimentStatistics.SrmThreshold),
            Traffic = new TrafficView(recorded.Unassigned, recorded.Outcomes.Count, unattributed),
            History = withHistory && experiment.Mode != ExperimentMode.Shadow ? History(experiment, recorded) : [],
            Sequential = new SequentialView("mSPRT, normal mixture (Johari et al., Always Valid Inference)", Views.Finite(readout.MixtureVariance), Tuning),
            Shadow = experiment.Mode == ExperimentMode.Shadow ? Shadows(experiment, recorded, await IsRegressionAsync(experiment.Model, cancellationToken)) : null,
            Decision = experiment.Mode == ExperimentMode.Shadow ? ExperimentAnalysis.Continue : readout.Decision,
            Reason = experiment.Mode == ExperimentMode.Shadow
                ? "a shadow experiment runs the other variants on control's traffic without serving them: read 'shadow', then stop it, or conclude it naming the variant to ship"
                : readout.Reason,
        };
    }

    /// <summary>Points in the readout's history: evenly spaced over the time the events span.</summary>
    public const int HistoryPoints = 20;

    /// <summary>
    /// The readout replayed at <see cref="HistoryPoints"/> times between the first and the last recorded event, from the
    /// units and outcomes storage had taken in by each: what someone watching the experiment would have seen.
    /// </summary>
    public static IReadOnlyList<HistoryPoint> History(Experiment experiment, ExperimentEvents recorded)
    {
        if (experiment.Variants.Count < 2 || recorded.UnitsSeenAt is not { Count: > 0 } seen)
        {
            return [];
        }

        var times = seen.Values.Concat(recorded.Outcomes.Select(o => o.RecordedAt).OfType<DateTimeOffset>()).ToArray();
        var (first, last) = (times.Min(), times.Max());
        var design = Design(experiment);
        var points = new List<HistoryPoint>(HistoryPoints);
        for (var k = 1; k <= HistoryPoints; k++)
        {
            var at = first + ((last - first) * k / HistoryPoints);
            var units = recorded.Units.Where(u => seen.GetValueOrDefault(u.Key) <= at).ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal);
            var outcomes = recorded.Outcomes.Where(o => o.RecordedAt is not { } when || when <= at).ToArray();
            var (samples, _) = Aggregate(experiment, new ExperimentEvents(units, outcomes, []));
            var comparisons = ExperimentAnalysis.Analyze(design, samples).Comparisons;
            if (comparisons is [var comparison, ..] && double.IsFinite(comparison.Comparison.Lift))
            {
                points.Add(new HistoryPoint(at, units.Count, comparison.Variant, comparison.Comparison.Lift, Views.Finite(comparison.Comparison.PValue), Views.Finite(comparison.Comparison.AlwaysValidPValue)));
            }
        }

        return points;
    }

    private async Task<bool> IsRegressionAsync(string model, CancellationToken cancellationToken) =>
        (await registry.GetCardAsync(model, cancellationToken))?.Value.Task == ModelTask.Regression;

    /// <summary>Agreement of labels for classifiers, mean absolute difference of values for regressors.</summary>
    private static ShadowView Shadows(Experiment experiment, ExperimentEvents recorded, bool regression)
    {
        var shadows = TrafficSlices.Merge(recorded.Traffic, t => t.Shadows);
        return new ShadowView(
            recorded.Traffic.Sum(t => t.ShadowDropped),
            experiment.Variants.Skip(1).Select(v =>
            {
                var stats = shadows.GetValueOrDefault(v.Name) ?? new CallStats();
                var compared = stats.ComparedRows;
                double? agreement = compared > 0 && !regression ? (double)stats.AgreedRows / compared : null;
                double? difference = compared > 0 && regression ? stats.AbsoluteDifference / compared : null;
                return new ShadowVariantView(v.Name, v.Version, CallsView.Of(stats)!, compared, agreement, difference);
            }).ToArray());
    }

    /// <summary>Monitoring over the experiment's span; a version monitoring cannot read (no reference yet, storage trouble) shows none rather than failing the readout.</summary>
    private async Task<VersionPerformance?> PerformanceAsync(Experiment experiment, int version, DateTimeOffset to, CancellationToken cancellationToken)
    {
        try
        {
            return await performance.GetAsync(experiment.Model, version, experiment.StartedAt, to, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNoPerformance(experiment.Model, version, e.Message);
            return null;
        }
    }

    private async Task<int> MoveChampionAsync(Experiment experiment, ExperimentVariant shipped, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(experiment.Model, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(experiment.Model);
        var version = shipped.Version ?? card.Aliases[shipped.Alias!];
        int? expected = card.Aliases.TryGetValue(Aliases.Champion, out var current) ? current : null;
        return await models.MoveAliasAsync(experiment.Model, Aliases.Champion, version, expected, cancellationToken)
            ? version
            : throw DomainException.Conflict("Champion changed", Format($"The champion of {experiment.Model} was moved by someone else while concluding; read the experiment again and retry."));
    }

    private async Task<Versioned<Experiment>> GetStoredAsync(string model, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(model, name, cancellationToken) ?? throw DomainException.NotFound("Not found", Format($"{model} has no experiment named '{name}'."));

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {Model}/{Experiment} concluded: {Decision} (by {By})")]
    private partial void LogConcluded(string model, string experiment, string decision, string by);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No monitoring figures for {Model} v{Version} in its experiment readout: {Detail}")]
    private partial void LogNoPerformance(string model, int version, string detail);
}

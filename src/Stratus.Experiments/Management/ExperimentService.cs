using System.Globalization;
using Stratus.Core.Abstractions;
using Stratus.Core.Errors;
using Stratus.Core.Experiments;
using Stratus.Core.Models;

namespace Stratus.Experiments.Management;

/// <summary>
/// Starts, lists, shows and stops experiments: checks a request against the model (its versions, aliases and business
/// metric), fills the defaults, and keeps one experiment running per model.
/// </summary>
public sealed class ExperimentService(IModelRegistry registry, IExperimentStore store, Routing.RunningExperiments running, TimeProvider clock)
{
    public const double DefaultMinimumDetectableEffect = 0.05;

    /// <summary>More arms split traffic too thin to read, and each adds to every traffic row an instance writes.</summary>
    public const int MaxVariants = 10;

    /// <summary>How far the weights' sum may stray from 1 (they are typed by people: 0.333 three times is fine).</summary>
    private const double WeightTolerance = 0.01;

    public async Task<Experiment> StartAsync(string model, string name, ExperimentRequest request, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "experiment");
        var card = (await registry.GetCardAsync(ResourceName.Require(model, "model"), cancellationToken))?.Value ?? throw NotFound($"Model '{model}' does not exist.");
        var mode = request.Mode?.ToLowerInvariant() switch
        {
            null or "ab" => ExperimentMode.Ab,
            "shadow" => ExperimentMode.Shadow,
            "canary" => ExperimentMode.Canary,
            _ => throw Invalid($"'mode' must be 'ab', 'shadow' or 'canary'; got '{request.Mode}'."),
        };
        var variants = await VariantsAsync(card, request.Variants, mode, cancellationToken);
        var metric = Metric(card, request.Metric);
        var mde = request.MinimumDetectableEffect ?? DefaultMinimumDetectableEffect;
        var alpha = request.Alpha ?? 0.05;
        var power = request.Power ?? 0.8;
        if (!(mde > 0) || !(alpha is > 0 and < 1) || !(power is > 0 and < 1))
        {
            throw Invalid("'minimumDetectableEffect' must be above 0 (relative, 0.05 is 5 %), and 'alpha' and 'power' between 0 and 1.");
        }

        var now = clock.GetUtcNow();
        var canary = mode == ExperimentMode.Canary ? Canary(request.Canary, variants) : null;
        if (canary is not null)
        {
            // The ramp owns the weights: it starts at its first step.
            variants = [variants[0] with { Weight = 1 - canary.Steps[0] }, variants[1] with { Weight = canary.Steps[0] }];
        }

        var experiment = new Experiment
        {
            Model = model,
            Name = name,
            Id = string.Create(CultureInfo.InvariantCulture, $"{model}/{name}/{now.UtcTicks}"),
            Variants = variants,
            Metric = metric,
            MinimumDetectableEffect = mde,
            Alpha = alpha,
            Power = power,
            Mode = mode,
            StartedAt = now,
            Canary = canary,
            Progress = canary is null ? null : new CanaryProgress(0, now, CanaryProgress.Ramping, null),
        };
        var start = await store.StartAsync(experiment, cancellationToken);
        running.Invalidate(model);
        return start.Started?.Value ?? throw (start.NameTaken
            ? DomainException.Conflict("Experiment exists", $"{model} already has an experiment named '{name}'; experiments are kept for their record, so start a new one under another name.")
            : DomainException.Conflict("Experiment running", $"'{start.RunningName}' is running on {model}; stop or conclude it before starting another."));
    }

    public async Task<Experiment> GetAsync(string model, string name, CancellationToken cancellationToken) =>
        (await store.GetAsync(model, name, cancellationToken))?.Value ?? throw NotFound($"{model} has no experiment named '{name}'.");

    public async Task<IReadOnlyList<Experiment>> ListAsync(string model, CancellationToken cancellationToken)
    {
        _ = (await registry.GetCardAsync(model, cancellationToken)) ?? throw NotFound($"Model '{model}' does not exist.");
        return await store.ListAsync(model, cancellationToken);
    }

    public async Task<Experiment> StopAsync(string model, string name, StopRequest? request, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(model, name, cancellationToken) ?? throw NotFound($"{model} has no experiment named '{name}'.");
        if (current.Value.State != ExperimentState.Running)
        {
            throw DomainException.Conflict("Experiment not running", $"'{name}' is {current.Value.State.ToString().ToLowerInvariant()}.");
        }

        var stopped = current.Value with { State = ExperimentState.Stopped, EndedAt = clock.GetUtcNow(), Note = request?.Reason ?? "stopped" };
        var ended = await store.EndAsync(current, stopped, cancellationToken);
        running.Invalidate(model);
        return ended
            ? stopped
            : throw DomainException.Conflict("Experiment changed", $"'{name}' changed while it was being stopped; read it again.");
    }

    private async Task<IReadOnlyList<ExperimentVariant>> VariantsAsync(ModelCard card, IReadOnlyList<VariantRequest>? requested, ExperimentMode mode, CancellationToken cancellationToken)
    {
        if (requested is { Count: > MaxVariants })
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"At most {MaxVariants} variants; this experiment has {requested.Count}."));
        }

        if (requested is not { Count: >= 2 })
        {
            throw Invalid("'variants' needs two or more entries, control first: [{\"name\": \"control\", \"alias\": \"champion\", \"weight\": 0.5}, {\"name\": \"treatment\", \"version\": 2, \"weight\": 0.5}].");
        }

        var variants = new List<ExperimentVariant>();
        // In shadow mode control serves every call, and a canary's ramp sets the weights: there they are optional.
        foreach (var (v, i) in requested.Select((v, i) => (mode != ExperimentMode.Ab && v.Weight is null ? v with { Weight = 1.0 / requested.Count } : v, i)))
        {
            var label = $"variants[{i}]";
            var name = ResourceName.Require(v.Name, "variant");
            if (variants.Any(x => x.Name == name))
            {
                throw Invalid($"{label}: the variant name '{name}' is used twice.");
            }

            if ((v.Version is null) == (v.Alias is null))
            {
                throw Invalid($"{label} ('{name}'): name either a 'version' or an 'alias'.");
            }

            if (v.Weight is not (> 0 and <= 1))
            {
                throw Invalid($"{label} ('{name}'): 'weight' must be above 0 and at most 1.");
            }

            if (v.Version is { } version && await registry.GetVersionAsync(card.Name, version, cancellationToken) is null)
            {
                throw Invalid($"{label} ('{name}'): {card.Name} has no version {version}.");
            }

            if (v.Alias is { } alias && !card.Aliases.ContainsKey(alias))
            {
                throw Invalid($"{label} ('{name}'): {card.Name} has no alias '{alias}'.");
            }

            // An alias is resolved now: a variant keeps serving one version even if the alias moves during the experiment.
            variants.Add(new ExperimentVariant(name, v.Version ?? card.Aliases[v.Alias!], v.Alias, v.Weight.Value));
        }

        var total = variants.Sum(v => v.Weight);
        if (Math.Abs(total - 1) > WeightTolerance)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"The variants' weights must sum to 1; they sum to {total:0.###}."));
        }

        // Normalised so assignment splits exactly by the stated shares.
        return variants.Select(v => v with { Weight = v.Weight / total }).ToArray();
    }

    private static CanaryPlan Canary(CanaryRequest? requested, IReadOnlyList<ExperimentVariant> variants)
    {
        if (variants.Count != 2)
        {
            throw Invalid("A canary has exactly two variants: control (first) and the challenger it ramps up.");
        }

        var steps = requested?.Steps ?? CanaryPlan.DefaultSteps;
        if (steps.Count == 0 || steps.Any(s => s is not (> 0 and <= 1)) || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw Invalid("'canary.steps' must be rising shares of traffic above 0 and at most 1, e.g. [0.05, 0.25, 0.5].");
        }

        var plan = new CanaryPlan(
            steps,
            requested?.HoldSeconds ?? CanaryPlan.DefaultHoldSeconds,
            requested?.MinRequests ?? CanaryPlan.DefaultMinRequests,
            requested?.MaxErrorRateIncrease ?? CanaryPlan.DefaultMaxErrorRateIncrease,
            requested?.MaxLatencyRatio ?? CanaryPlan.DefaultMaxLatencyRatio);
        return plan.HoldSeconds >= 1 && plan.MinRequests >= 1 && plan.MaxErrorRateIncrease >= 0 && plan.MaxLatencyRatio >= 1
            ? plan
            : throw Invalid("'canary.holdSeconds' and 'canary.minRequests' must be at least 1, 'maxErrorRateIncrease' at least 0 and 'maxLatencyRatio' at least 1.");
    }

    private static ExperimentMetric Metric(ModelCard card, MetricRequest? requested)
    {
        var name = requested?.Name ?? card.BusinessMetric
            ?? throw Invalid($"Name the experiment's 'metric' (or set the card's 'businessMetric'): {card.Name} has neither.");
        var kind = requested?.Kind ?? ExperimentMetric.Binary;
        var direction = requested?.Direction ?? ExperimentMetric.Increase;
        if (kind is not (ExperimentMetric.Binary or ExperimentMetric.Continuous) || direction is not (ExperimentMetric.Increase or ExperimentMetric.Decrease))
        {
            throw Invalid($"'metric.kind' must be 'binary' or 'continuous' and 'metric.direction' 'increase' or 'decrease'; got '{kind}' and '{direction}'.");
        }

        return new ExperimentMetric(name, kind, direction);
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid experiment", detail);

    private static DomainException NotFound(string detail) => DomainException.NotFound("Not found", detail);
}

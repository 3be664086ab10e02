using System.Globalization;
using Stratus.Core.Errors;
using Stratus.Core.Experiments;
using Stratus.Registry;

namespace Stratus.Experiments.Outcomes;

/// <summary>
/// Takes callers' business events for an experiment. The whole post is checked before anything is stored, so a bad
/// event (named in the error) loses nothing and stores nothing; stored events are idempotent by id.
/// </summary>
public sealed class OutcomeService(IExperimentStore experiments, IExperimentEventStore events)
{
    /// <summary>Events per post: larger backlogs are sent in several posts (each is idempotent, so retries are safe).</summary>
    public const int MaxEvents = 1_000;

    public const int MaxIdLength = 256;

    public async Task<OutcomeWrite> AddAsync(string model, string name, OutcomeRequest? request, CancellationToken cancellationToken)
    {
        var experiment = (await experiments.GetAsync(model, name, cancellationToken))?.Value
            ?? throw DomainException.NotFound("Not found", $"{model} has no experiment named '{name}'.");
        if (request?.Events is not { Count: > 0 } posted)
        {
            throw Invalid("'events' must be a non-empty array: {\"events\": [{\"id\": \"order-1\", \"unit\": \"user-42\", \"value\": 1}]}.");
        }

        if (posted.Count > MaxEvents)
        {
            throw Invalid(Format($"At most {MaxEvents} events per post; this one has {posted.Count}. Send them in several posts (duplicates count once)."));
        }

        var binary = experiment.Metric.Kind == ExperimentMetric.Binary;
        var outcomes = new Outcome[posted.Count];
        for (var i = 0; i < posted.Count; i++)
        {
            var e = posted[i];
            var label = e?.Id is { } named ? Format($"events[{i}] ('{named}')") : Format($"events[{i}]");
            if (e?.Id is not { Length: > 0 and <= MaxIdLength } id)
            {
                throw Invalid(Format($"{label}: 'id' must be 1 to {MaxIdLength} characters; it makes a retried post count once."));
            }

            if (e.Unit is not { Length: > 0 and <= ServingTarget.MaxUnitLength } unit)
            {
                throw Invalid(Format($"{label}: 'unit' must be 1 to {ServingTarget.MaxUnitLength} characters, the same id sent as '{Core.Http.StratusHeaders.Unit}' on predict."));
            }

            if (e.Value is not { } value || !double.IsFinite(value) || (binary && value is not (0 or 1)))
            {
                throw Invalid(binary
                    ? Format($"{label}: the metric '{experiment.Metric.Name}' is binary, so 'value' must be 0 or 1; got {e.Value?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}.")
                    : Format($"{label}: 'value' must be a finite number."));
            }

            outcomes[i] = new Outcome(id, unit, value);
        }

        return await events.AddOutcomesAsync(experiment.Id, outcomes, cancellationToken);
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid outcomes", detail);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

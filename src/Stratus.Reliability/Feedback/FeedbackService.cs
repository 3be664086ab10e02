using Stratus.Core.Abstractions;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Reliability.References;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.Feedback;

/// <summary>What <c>POST …/feedback</c> answers: every item counted once, unknown ones listed (never dropped silently).</summary>
public sealed record FeedbackResult(int Accepted, int Duplicate, int Unknown, IReadOnlyList<FeedbackItemRef> UnknownItems);

/// <param name="Item">The item's position in the request body.</param>
public sealed record FeedbackItemRef(int Item, string RequestId, int Index);

/// <summary>
/// Joins ground truth to logged predictions. The whole body is checked first (shape, task, known classes) and only
/// then written, so a 400 leaves nothing half-recorded; each row's label is stored once, a repeat is a duplicate.
/// </summary>
public sealed class FeedbackService(
    IModelRegistry registry,
    IPredictionLog log,
    IFeedbackStore store,
    MonitoredVersions versions,
    WindowRecorder recorder,
    ReliabilityTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock)
{
    public const int MaxItems = 1_000;

    public async Task<FeedbackResult> RecordAsync(string model, JsonElement body, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(model);
        var items = Parse(body, card.Task);

        var oldest = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-Math.Max(0, options.Value.Monitoring.PredictionLogDays));
        var found = new LoggedPrediction?[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            found[i] = await log.FindAsync(model, items[i].RequestId, items[i].Index, oldest, ct));

        // Classes are known once the served version is: check them all before writing any.
        var classes = new Dictionary<int, IReadOnlyList<string>>();
        for (var i = 0; i < items.Count; i++)
        {
            if (found[i] is not { } prediction || items[i].Label is not { } label)
            {
                continue;
            }

            if (!classes.TryGetValue(prediction.Version, out var known))
            {
                known = (await versions.GetAsync(model, prediction.Version, cancellationToken))?.Outputs.Classes ?? [];
                classes[prediction.Version] = known;
            }

            if (known.Count > 0 && !known.Contains(label, StringComparer.Ordinal))
            {
                throw Invalid($"items[{i}]: label '{label}' is not one of {model} v{prediction.Version}'s classes ({string.Join(", ", known)}).");
            }
        }

        var now = clock.GetUtcNow();
        int accepted = 0, duplicate = 0;
        var unknown = new List<FeedbackItemRef>();
        for (var i = 0; i < items.Count; i++)
        {
            if (found[i] is not { } prediction)
            {
                unknown.Add(new FeedbackItemRef(i, items[i].RequestId, items[i].Index));
                continue;
            }

            var added = await store.TryAddAsync(new LabelledPrediction(prediction, items[i].Label, items[i].Value, now), recorder.Start(prediction.ServedAt), cancellationToken);
            _ = added ? accepted++ : duplicate++;
        }

        telemetry.RecordFeedback(model, "accepted", accepted);
        telemetry.RecordFeedback(model, "duplicate", duplicate);
        telemetry.RecordFeedback(model, "unknown", unknown.Count);
        return new FeedbackResult(accepted, duplicate, unknown.Count, unknown);
    }

    private sealed record Item(string RequestId, int Index, string? Label, double? Value);

    private static List<Item> Parse(JsonElement body, ModelTask task)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("items", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("The body must be {\"items\": [{\"requestId\": \"…\", \"index\": 0, \"label\": …}]} (\"value\" instead of \"label\" for regression).");
        }

        if (array.GetArrayLength() is 0 or > MaxItems)
        {
            throw Invalid($"'items' must hold 1 to {MaxItems} items; it holds {array.GetArrayLength()}.");
        }

        var classifier = task is ModelTask.BinaryClassification or ModelTask.MulticlassClassification;
        if (!classifier && task != ModelTask.Regression)
        {
            throw Invalid($"The model's task is '{task}'; feedback needs a classification or regression task on its card.");
        }

        var items = new List<Item>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("requestId", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
            {
                throw Invalid($"items[{i}]: 'requestId' (the x-request-id of the predict call) is required.");
            }

            var index = 0;
            if (item.TryGetProperty("index", out var at) && (at.ValueKind != JsonValueKind.Number || !at.TryGetInt32(out index) || index < 0))
            {
                throw Invalid($"items[{i}]: 'index' must be the row's 0-based position in its request.");
            }

            var hasLabel = item.TryGetProperty("label", out var label) && label.ValueKind != JsonValueKind.Null;
            var hasValue = item.TryGetProperty("value", out var value) && value.ValueKind != JsonValueKind.Null;
            if (classifier)
            {
                if (hasValue || !hasLabel || ClassLabels.FromJson(label) is not { Length: > 0 } normalized)
                {
                    throw Invalid($"items[{i}]: a {task} model takes a 'label' (a class), not a 'value'.");
                }

                items.Add(new Item(id.GetString()!, index, normalized, null));
            }
            else
            {
                if (hasLabel || !hasValue || value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
                {
                    throw Invalid($"items[{i}]: a regression model takes a numeric 'value', not a 'label'.");
                }

                items.Add(new Item(id.GetString()!, index, null, value.GetDouble()));
            }

            i++;
        }

        return items;
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid feedback", detail);
}

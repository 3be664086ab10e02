using System.Globalization;
using System.Text.Json;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Core.Training;
using Stratus.Training.Algorithms;

namespace Stratus.Training;

/// <summary>
/// Checks a <see cref="TrainRequest"/> against the dataset and the algorithm catalog and resolves it into a
/// <see cref="TrainingSpec"/>: every mistake is a 400 before anything starts.
/// </summary>
public static class TrainingSpecResolver
{
    public const int MaxCandidates = 64;

    // What ML.NET's text loader reads as a boolean label (case-insensitive); an empty cell reads as false.
    private static readonly HashSet<string> TrueValues = new(StringComparer.OrdinalIgnoreCase) { "true", "t", "yes", "y", "1", "+1", "+" };
    private static readonly HashSet<string> FalseValues = new(StringComparer.OrdinalIgnoreCase) { "false", "f", "no", "n", "0", "-1", "-" };

    /// <summary>Classification labels checked against the dataset's profile (when it lists the label's values).</summary>
    private static void CheckClasses(ModelTask task, DatasetColumn label)
    {
        if (label.Values is not { } values || task == ModelTask.Regression)
        {
            return;
        }

        if (task == ModelTask.BinaryClassification)
        {
            var unreadable = values.Where(v => !TrueValues.Contains(v) && !FalseValues.Contains(v)).ToArray();
            if (unreadable.Length > 0)
            {
                throw Invalid($"Binary classification needs a boolean label (0/1, true/false, yes/no, -1/+1); '{label.Name}' holds {string.Join(", ", unreadable.Take(5))}{(unreadable.Length > 5 ? ", …" : "")}. " +
                    "Map the classes to 0/1 in the dataset, or train multiclass-classification.");
            }

            var hasTrue = values.Any(TrueValues.Contains);
            var hasFalse = values.Any(FalseValues.Contains) || label.Missing > 0;
            if (!hasTrue || !hasFalse)
            {
                throw Invalid($"Label '{label.Name}' has a single class ({(hasTrue ? "true" : "false")}); classification needs both.");
            }

            return;
        }

        if (values.Count < 2)
        {
            throw Invalid($"Label '{label.Name}' has a single class ({string.Join(", ", values)}); classification needs at least two.");
        }
    }

    /// <summary>Columns that would collide with the pipeline's own names.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "Features", "Score", "Probability", "PredictedLabel", "__features__", "__label__" };

    public static TrainingSpec Resolve(TrainRequest request, DatasetVersion dataset, ModelTask? cardTask)
    {
        if (string.IsNullOrWhiteSpace(request.Label))
        {
            throw Invalid("'label' is required: the dataset column to predict.");
        }

        var columns = dataset.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        if (!columns.TryGetValue(request.Label, out var label))
        {
            throw Invalid($"Label '{request.Label}' is not a column of dataset {dataset.Name}@{dataset.Version} (columns: {string.Join(", ", columns.Keys)}).");
        }

        var task = request.Task ?? (cardTask is { } t && t != ModelTask.Other ? t : throw Invalid("'task' is required when the model card does not name one."));
        if (task == ModelTask.Other)
        {
            throw Invalid("'task' must be binary-classification, multiclass-classification or regression.");
        }

        if (task == ModelTask.Regression && label.Type != DatasetColumn.Number)
        {
            throw Invalid($"Regression needs a numeric label; '{label.Name}' holds text.");
        }

        CheckClasses(task, label);

        var featureNames = request.Features ?? dataset.Columns.Select(c => c.Name).Where(n => n != label.Name).ToArray();
        if (featureNames.Count == 0)
        {
            throw Invalid("There are no feature columns.");
        }

        var features = new List<FeatureSpec>();
        foreach (var name in featureNames)
        {
            if (!columns.TryGetValue(name, out var column))
            {
                throw Invalid($"Feature '{name}' is not a column of dataset {dataset.Name}@{dataset.Version}.");
            }

            if (name == label.Name)
            {
                throw Invalid($"'{name}' is the label and cannot also be a feature.");
            }

            if (Reserved.Contains(name))
            {
                throw Invalid($"Feature name '{name}' is reserved by the training pipeline; rename the column.");
            }

            if (features.Any(f => f.Name == name))
            {
                throw Invalid($"Feature '{name}' is listed twice.");
            }

            features.Add(new FeatureSpec(name, column.Type));
        }

        var holdout = request.Validation?.HoldoutFraction ?? 0.2;
        if (holdout is <= 0 or >= 0.9)
        {
            throw Invalid("'validation.holdoutFraction' must be between 0 and 0.9.");
        }

        var metric = request.Objective?.Metric ?? MetricNames.DefaultFor(task);
        if (!MetricNames.For(task).Contains(metric))
        {
            throw Invalid($"Metric '{metric}' does not fit {Kebab(task)}; use one of {string.Join(", ", MetricNames.For(task))}.");
        }

        return new TrainingSpec
        {
            Dataset = new DatasetRef(dataset.Name, dataset.Version, dataset.Sha256),
            Label = label.Name,
            LabelType = label.Type,
            Features = features,
            Task = task,
            Candidates = ExpandCandidates(request.Candidates, task),
            HoldoutFraction = holdout,
            Seed = request.Validation?.Seed ?? 42,
            Metric = metric,
            Minimum = request.Objective?.Minimum,
            Promote = request.Promote ?? PromotionPolicy.IfBetter,
        };
    }

    private static IReadOnlyList<CandidateSpec> ExpandCandidates(IReadOnlyList<CandidateRequest>? requested, ModelTask task)
    {
        var list = requested is { Count: > 0 } ? requested : AlgorithmCatalog.DefaultsFor(task).Select(a => new CandidateRequest(a, null)).ToArray();
        var candidates = new List<CandidateSpec>();
        foreach (var candidate in list)
        {
            var algorithm = AlgorithmCatalog.Find(candidate.Algorithm)
                ?? throw Invalid($"Unknown algorithm '{candidate.Algorithm}'; known: {string.Join(", ", AlgorithmCatalog.All.Select(a => a.Name))}.");
            if (!algorithm.Tasks.Contains(task))
            {
                throw Invalid($"Algorithm '{algorithm.Name}' does not support {Kebab(task)}.");
            }

            var grids = new List<(string Name, double[] Values)>();
            foreach (var (name, value) in candidate.Params ?? new Dictionary<string, JsonElement>())
            {
                var parameter = algorithm.Parameters.FirstOrDefault(p => p.Name == name)
                    ?? throw Invalid($"Algorithm '{algorithm.Name}' has no parameter '{name}'; it takes {string.Join(", ", algorithm.Parameters.Select(p => p.Name))}.");
                grids.Add((name, Values(algorithm.Name, parameter, value)));
            }

            foreach (var parameter in algorithm.Parameters.Where(p => grids.All(g => g.Name != p.Name)))
            {
                grids.Add((parameter.Name, [parameter.Default]));
            }

            // The grid's size is its product: checked before any combination is built (4 parameters × 1000 values are 10¹²).
            var size = grids.Aggregate(1.0, (product, grid) => product * grid.Values.Length);
            if (candidates.Count + size > MaxCandidates)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"The grid of '{algorithm.Name}' expands to {size:G3} candidates ({candidates.Count} before it): more than {MaxCandidates} in all. Narrow it."));
            }

            IEnumerable<Dictionary<string, double>> combos = [new Dictionary<string, double>(StringComparer.Ordinal)];
            foreach (var (name, values) in grids)
            {
                combos = combos.SelectMany(c => values.Select(v => new Dictionary<string, double>(c, StringComparer.Ordinal) { [name] = v })).ToArray();
            }

            candidates.AddRange(combos.Select(c => new CandidateSpec(algorithm.Name, new SortedDictionary<string, double>(c, StringComparer.Ordinal))));
        }

        return candidates;
    }

    private static double[] Values(string algorithm, AlgorithmCatalog.Parameter parameter, JsonElement value)
    {
        var raw = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        if (raw.Length == 0)
        {
            throw Invalid($"{algorithm}.{parameter.Name} has an empty list of values.");
        }

        return raw.Select(v =>
        {
            if (v.ValueKind != JsonValueKind.Number)
            {
                throw Invalid($"{algorithm}.{parameter.Name} must be a number or a list of numbers, not {v.GetRawText()}.");
            }

            var d = v.GetDouble();
            if (d < parameter.Min || d > parameter.Max || (parameter.Integer && Math.Floor(d) != d))
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{algorithm}.{parameter.Name} = {d} is out of range: {(parameter.Integer ? "a whole number " : "")}from {parameter.Min} to {parameter.Max}."));
            }

            return d;
        }).Distinct().ToArray();
    }

    private static string Kebab(ModelTask task) => JsonNamingPolicy.KebabCaseLower.ConvertName(task.ToString());

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid training spec", detail);
}

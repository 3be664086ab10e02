using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.Estimation;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;
using Stratus.Serving.Routing;

namespace Stratus.Reliability.References;

/// <summary>What <c>PUT …/versions/{v}/reference</c> answers.</summary>
public sealed record ReferenceSummary(string Model, int Version, string Source, int Rows, IReadOnlyList<string> Features, IReadOnlyList<string> Classes, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>How performance will be estimated without labels (<c>cbpe</c>, <c>dle</c>), or null with <see cref="EstimationUnavailable"/> saying why not.</summary>
    public string? Estimation { get; init; }

    public string? EstimationUnavailable { get; init; }

    /// <summary>CBPE: per class, whether isotonic calibration was fitted and why.</summary>
    public IReadOnlyList<ClassCalibration>? Calibration { get; init; }
}

/// <summary>
/// Builds a version's reference from labelled CSV rows: checks every cell against the version's inputs and task,
/// scores the rows with the version itself (where the card serves it), and stores labels, outputs, realized metrics
/// and the sketches. Trained versions get theirs from the holdout at registration; uploaded ones through the API.
/// </summary>
public sealed class ReferenceService(IModelRegistry registry, PredictionService scorer, MonitoredVersions versions, PerformanceEstimators estimators, IOptions<StratusOptions> options, TimeProvider clock)
{
    public const string DefaultLabelColumn = "label";

    /// <summary>Rows scored per call, at most <c>MaxInstances</c>.</summary>
    private const int ScoreChunk = 500;

    public async Task<ReferenceSummary> PutCsvAsync(string model, int version, Stream csv, string? labelColumn, string source, CancellationToken cancellationToken)
    {
        var label = string.IsNullOrWhiteSpace(labelColumn) ? DefaultLabelColumn : labelColumn;
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(model);
        var record = await registry.GetVersionAsync(model, version, cancellationToken) ?? throw RegistryErrors.VersionNotFound(model, version);
        if (card.Task is not (ModelTask.BinaryClassification or ModelTask.MulticlassClassification or ModelTask.Regression))
        {
            throw DomainException.Invalid("No task to monitor", $"Model '{model}' has task '{card.Task}'; set the card's task (binary-classification, multiclass-classification or regression) so its labels and outputs can be read.");
        }

        var columns = new FeatureColumns(record, card.FeatureNames);
        if (!columns.Tabular)
        {
            throw DomainException.Invalid("Not a tabular model", $"{model} v{version} does not take rows of values, so it has no feature reference.");
        }

        var outputs = OutputReader.For(record, card.Task);
        var table = await ReadAsync(csv, columns, label, card.Task, outputs, cancellationToken);

        var scored = new List<OutputRow>(table.Rows.Count);
        foreach (var chunk in table.Rows.Chunk(Math.Clamp(options.Value.Serving.MaxInstances, 1, ScoreChunk)))
        {
            using var instances = Instances(chunk, columns);
            var result = await scorer.ScoreAsync(card, version, instances.RootElement, $"reference-{model}-{version}", cancellationToken);
            scored.AddRange(outputs.Read(result.Outputs, result.Rows));
        }

        var metrics = card.Task == ModelTask.Regression
            ? RealizedMetrics.Regression(scored, table.Values)
            : RealizedMetrics.Classification(card.Task, outputs.Classes, scored, table.Labels);

        var (estimation, unavailable) = card.Task == ModelTask.Regression
            ? await estimators.ForRegressorAsync(model, version, columns, table.Rows, scored, table.Values, metrics, cancellationToken)
            : PerformanceEstimators.ForClassifier(card.Task, outputs, scored, table.Labels, metrics);

        var names = columns.Names.Concat(outputs.SketchNames.Select(n => ReferenceSet.OutputPrefix + n)).ToArray();
        var kinds = Enumerable.Range(0, columns.Names.Count).Select(c => columns.IsText(c) ? DriftEvaluator.Categorical : DriftEvaluator.Numeric)
            .Concat(outputs.SketchNames.Select(n => n == "class" ? DriftEvaluator.Categorical : DriftEvaluator.Numeric))
            .ToArray();
        var sketchRows = table.Rows.Select((row, i) => (IReadOnlyList<string?>)row.Concat(outputs.SketchValues(scored[i]).Select(v => v.Text ?? v.Number.ToString("R", CultureInfo.InvariantCulture))).ToArray()).ToArray();

        var reference = new ReferenceSet
        {
            Model = model,
            Version = version,
            Task = card.Task,
            Source = source,
            CreatedAt = clock.GetUtcNow(),
            Rows = table.Rows.Count,
            Features = columns.Names,
            Classes = outputs.Classes,
            Sketches = MonitoringReference.Build(names, sketchRows, kinds: kinds) with
            {
                Sums = estimation?.Sketches ?? [],
                Id = clock.GetUtcNow().UtcTicks.ToString("x", CultureInfo.InvariantCulture),
            },
            Labels = card.Task == ModelTask.Regression ? null : table.Labels,
            Values = card.Task == ModelTask.Regression ? table.Values : null,
            Outputs = scored,
            Metrics = metrics,
            Estimation = estimation,
            EstimationUnavailable = unavailable,
        };
        await versions.SaveReferenceAsync(reference, cancellationToken);
        return new ReferenceSummary(model, version, source, reference.Rows, reference.Features, reference.Classes, metrics)
        {
            Estimation = estimation?.Method,
            EstimationUnavailable = unavailable,
            Calibration = estimation?.CalibrationDecisions,
        };
    }

    /// <summary>The rows as the flat arrays predict takes (numbers for numeric inputs, strings for text ones).</summary>
    private static JsonDocument Instances(IReadOnlyList<string[]> rows, FeatureColumns columns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                for (var c = 0; c < row.Length; c++)
                {
                    if (columns.IsText(c))
                    {
                        writer.WriteStringValue(row[c]);
                    }
                    else
                    {
                        writer.WriteNumberValue(double.Parse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture));
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    private sealed record Table(List<string[]> Rows, List<string> Labels, List<double> Values);

    /// <summary>Reads and checks the CSV: every problem is a 400 naming its line and column.</summary>
    private static async Task<Table> ReadAsync(Stream csv, FeatureColumns columns, string label, ModelTask task, OutputReader outputs, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(csv);
        using var reader = new CsvReader(text, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = false, BadDataFound = null, MissingFieldFound = null });
        if (!await reader.ReadAsync() || !reader.ReadHeader() || reader.HeaderRecord is not { Length: > 0 } header)
        {
            throw Invalid("The body is empty: send text/csv with a header row of feature columns and the label column.");
        }

        var features = columns.Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var position = new int[columns.Names.Count];
        Array.Fill(position, -1);
        var labelAt = -1;
        for (var h = 0; h < header.Length; h++)
        {
            if (header[h] == label)
            {
                labelAt = h;
            }
            else if (features.TryGetValue(header[h], out var f) && position[f] < 0)
            {
                position[f] = h;
            }
            else
            {
                throw Invalid($"Line 1, column {h + 1}: '{header[h]}' is not a feature of this version (features: {string.Join(", ", columns.Names.Take(40))}{(columns.Names.Count > 40 ? ", …" : "")}) nor the label column '{label}'.");
            }
        }

        if (labelAt < 0)
        {
            throw Invalid($"Line 1: the label column '{label}' is missing (name it with ?label=).");
        }

        if (Array.IndexOf(position, -1) is var missing and >= 0)
        {
            throw Invalid($"Line 1: the feature column '{columns.Names[missing]}' is missing.");
        }

        var known = outputs.IsClassifier ? outputs.Classes.ToHashSet(StringComparer.Ordinal) : null;
        var table = new Table([], [], []);
        while (await reader.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = reader.Parser.RawRow;
            if (reader.Parser.Count != header.Length)
            {
                throw Invalid($"Line {line}: {reader.Parser.Count} fields where the header has {header.Length}.");
            }

            var row = new string[columns.Names.Count];
            for (var c = 0; c < row.Length; c++)
            {
                var cell = reader.GetField(position[c]) ?? "";
                if (!columns.IsText(c) && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw Invalid($"Line {line}, column '{columns.Names[c]}': '{cell}' is not a number.");
                }

                row[c] = cell;
            }

            var value = reader.GetField(labelAt) ?? "";
            if (task == ModelTask.Regression)
            {
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var target) || !double.IsFinite(target))
                {
                    throw Invalid($"Line {line}, column '{label}': '{value}' is not a number, and a regression label must be one.");
                }

                table.Values.Add(target);
            }
            else
            {
                var normalized = ClassLabels.FromText(value);
                if (normalized.Length == 0 || known is not null && !known.Contains(normalized))
                {
                    throw Invalid($"Line {line}, column '{label}': '{value}' is not one of this version's classes ({string.Join(", ", outputs.Classes)}).");
                }

                table.Labels.Add(normalized);
            }

            table.Rows.Add(row);
        }

        if (table.Rows.Count == 0)
        {
            throw Invalid("The CSV has a header but no rows.");
        }

        return table;
    }

    private static DomainException Invalid(string detail) => DomainException.Invalid("Invalid reference", detail);
}

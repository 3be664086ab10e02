using System.Globalization;
using Stratus.Core.Models;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Outputs;

/// <summary>
/// Reads a version's output tensors as <see cref="OutputRow"/>s. Models Stratus trained name their outputs
/// (<c>label</c>, <c>probability</c>/<c>probabilities</c>, <c>value</c>); for uploaded models the outputs are recognised by
/// name: one holding "label" is the predicted class, one holding "prob" the class probabilities, and a regressor's
/// value is its first numeric output. Without a label output the class is the argmax (binary: p ≥ 0.5). Class
/// names are the version's recorded classes, else "0", "1", … in score order.
/// </summary>
public sealed class OutputReader
{
    private readonly string? _label;
    private readonly string? _scores;
    private readonly string? _value;

    private OutputReader(ModelTask task, IReadOnlyList<string> classes, string? label, string? scores, string? value)
    {
        Task = task;
        Classes = classes;
        ClassIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        _label = label;
        _scores = scores;
        _value = value;
        SketchNames = task switch
        {
            ModelTask.Regression => ["value"],
            ModelTask.BinaryClassification => ["class", $"p({classes[^1]})"],
            _ => ["class", .. classes.Select(c => $"p({c})")],
        };
    }

    public ModelTask Task { get; }

    /// <summary>Class names in score order (empty for regression).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Each class's position in the scores.</summary>
    public IReadOnlyDictionary<string, int> ClassIndex { get; }

    public bool IsClassifier => Task is ModelTask.BinaryClassification or ModelTask.MulticlassClassification;

    /// <summary>The output distribution's sketches: the predicted class and each class's probability, or the value.</summary>
    public IReadOnlyList<string> SketchNames { get; }

    public static OutputReader For(ModelVersion version, ModelTask task)
    {
        var outputs = version.Signature.Outputs;
        string? Friendly(string key) => version.Outputs is { } map && map.TryGetValue(key, out var name) ? name : null;
        string? Named(string part, bool numeric) => outputs.FirstOrDefault(o => o.Name.Contains(part, StringComparison.OrdinalIgnoreCase) && (!numeric || IsFloat(o.ElementType)))?.Name;

        if (task == ModelTask.Regression)
        {
            var value = Friendly("value") ?? outputs.FirstOrDefault(o => IsFloat(o.ElementType))?.Name;
            return new OutputReader(task, [], null, null, value);
        }

        var label = Friendly("label") ?? Named("label", numeric: false);
        var scores = Friendly("probabilities") ?? Friendly("probability") ?? Named("prob", numeric: true);
        var width = outputs.FirstOrDefault(o => o.Name == scores)?.Shape is { Count: > 1 } shape && shape[^1] > 0 ? (int)shape[^1] : 1;
        IReadOnlyList<string> classes = version.Classes is { Count: > 0 } known
            ? known
            : task == ModelTask.BinaryClassification || width <= 2
                ? ["0", "1"]
                : Enumerable.Range(0, width).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new OutputReader(task, classes, label, scores, null);
    }

    public OutputRow[] Read(IReadOnlyList<TensorData> outputs, int rows)
    {
        var label = Find(outputs, _label);
        var scores = Find(outputs, _scores);
        var value = Find(outputs, _value);
        var result = new OutputRow[rows];
        for (var row = 0; row < rows; row++)
        {
            if (!IsClassifier)
            {
                result[row] = new OutputRow(null, null, value is null ? null : TensorValues.Number(value.Data, PerRow(value, rows) * (long)row));
                continue;
            }

            double[]? probabilities = null;
            if (scores is not null)
            {
                var width = PerRow(scores, rows);
                probabilities = width == 1
                    ? [1 - TensorValues.Number(scores.Data, row), TensorValues.Number(scores.Data, row)]
                    : Enumerable.Range(0, width).Select(c => TensorValues.Number(scores.Data, ((long)row * width) + c)).ToArray();
            }

            string? predicted = null;
            if (label is not null)
            {
                predicted = TensorValues.Text(label.Data, row) is { } text ? ClassLabels.FromText(text) : ClassLabels.FromNumber(TensorValues.Number(label.Data, row));
            }
            else if (probabilities is { Length: > 0 })
            {
                var best = 0;
                for (var c = 1; c < probabilities.Length; c++)
                {
                    best = probabilities[c] > probabilities[best] ? c : best;
                }

                predicted = best < Classes.Count ? Classes[best] : best.ToString(CultureInfo.InvariantCulture);
            }

            result[row] = new OutputRow(predicted, probabilities, null);
        }

        return result;
    }

    /// <summary>The values this row contributes to <see cref="SketchNames"/>, in that order.</summary>
    public IReadOnlyList<(string? Text, double Number)> SketchValues(OutputRow row)
    {
        var values = new (string? Text, double Number)[SketchNames.Count];
        WriteSketchValues(row, values);
        return values;
    }

    /// <summary>Writes the row's sketch values into <paramref name="values"/> (one per <see cref="SketchNames"/>) without allocating.</summary>
    public void WriteSketchValues(OutputRow row, Span<(string? Text, double Number)> values)
    {
        if (!IsClassifier)
        {
            values[0] = (null, row.Value ?? double.NaN);
            return;
        }

        values[0] = (row.Label, double.NaN);
        if (Task == ModelTask.BinaryClassification)
        {
            values[1] = (null, row.Scores is { Count: 2 } s ? s[1] : double.NaN);
            return;
        }

        for (var c = 0; c < Classes.Count; c++)
        {
            values[c + 1] = (null, row.Scores is { } s && c < s.Count ? s[c] : double.NaN);
        }
    }

    private static TensorData? Find(IReadOnlyList<TensorData> outputs, string? name)
    {
        // A loop, not LINQ: this runs for every observed call.
        for (var i = 0; name is not null && i < outputs.Count; i++)
        {
            if (outputs[i].Name == name)
            {
                return outputs[i];
            }
        }

        return null;
    }

    private static int PerRow(TensorData tensor, int rows) => rows == 0 ? 1 : Math.Max(1, (int)(tensor.ElementCount / rows));

    private static bool IsFloat(string elementType) => elementType is "float" or "double" or "float16";
}

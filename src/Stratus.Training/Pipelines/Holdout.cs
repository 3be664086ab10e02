using Microsoft.ML;
using Microsoft.ML.Data;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Training;

namespace Stratus.Training.Pipelines;

/// <summary>The holdout rows as plain arrays: one array per feature, and the labels as the task needs them.</summary>
internal sealed class Holdout
{
    public required int Count { get; init; }
    public required IReadOnlyList<(FeatureSpec Feature, Array Values)> Features { get; init; }

    /// <summary>Binary: 0/1; multiclass: class index (0-based); regression: the target.</summary>
    public required double[] Labels { get; init; }

    public IReadOnlyList<string>? Classes { get; init; }

    public static Holdout Read(TrainingSpec spec, IDataView data)
    {
        var features = spec.Features.Select(f => (f, f.Type == DatasetColumn.Number
            ? (Array)data.GetColumn<float>(f.Name).ToArray()
            : data.GetColumn<ReadOnlyMemory<char>>(f.Name).Select(m => m.ToString()).ToArray())).ToArray();
        double[] labels;
        IReadOnlyList<string>? classes = null;
        switch (spec.Task)
        {
            case ModelTask.BinaryClassification:
                labels = data.GetColumn<bool>(TabularTrainer.LabelColumn).Select(b => b ? 1.0 : 0.0).ToArray();
                break;
            case ModelTask.MulticlassClassification:
                labels = data.GetColumn<uint>(TabularTrainer.LabelColumn).Select(k => (double)k - 1).ToArray();
                classes = ClassNames(data.Schema[TabularTrainer.LabelColumn]);
                break;
            default:
                labels = data.GetColumn<float>(TabularTrainer.LabelColumn).Select(v => (double)v).ToArray();
                break;
        }

        return new Holdout { Count = labels.Length, Features = features, Labels = labels, Classes = classes };
    }

    /// <summary>The values behind the label's keys, in key order (= score order).</summary>
    private static string[] ClassNames(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues")?.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> text = default;
            label.GetKeyValues(ref text);
            return text.DenseValues().Select(v => v.ToString()).ToArray();
        }

        VBuffer<float> numbers = default;
        label.GetKeyValues(ref numbers);
        return numbers.DenseValues().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}

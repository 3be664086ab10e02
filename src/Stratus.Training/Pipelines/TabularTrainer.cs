using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Training.Algorithms;

namespace Stratus.Training.Pipelines;

/// <summary>
/// Trains one candidate of a spec on a local copy of the dataset, exports it to ONNX, checks that ONNX Runtime
/// reproduces ML.NET's scores on the holdout, and computes the metrics on the exported model — so the metrics
/// describe exactly what will be served.
/// </summary>
public static class TabularTrainer
{
    internal const string LabelColumn = "__label__";
    internal const string FeaturesColumn = "__features__";

    /// <summary>Largest tolerated ML.NET vs ONNX score difference on the holdout (see <see cref="MetricNames.OnnxParity"/>).</summary>
    public const double ParityTolerance = 1e-4;

    public sealed record Result(
        byte[] Onnx,
        IReadOnlyDictionary<string, double> Metrics,
        IReadOnlyDictionary<string, string> Outputs,
        IReadOnlyList<string>? Classes,
        IReadOnlyList<FeatureBaseline> Baseline,
        long DurationMs,
        double FitMs);

    /// <summary>Trains, exports and scores one candidate; <paramref name="cancellationToken"/> is honoured between the steps (ML.NET's fit itself cannot be interrupted).</summary>
    public static Result Train(TrainingSpec spec, int candidateIndex, string csvPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.StartNew();
        var candidate = spec.Candidates[candidateIndex];
        var ml = new MLContext(spec.Seed);
        var data = Load(ml, spec, csvPath, withLabel: true);
        data = PrepareLabel(ml, spec.Task, data);
        var split = ml.Data.TrainTestSplit(data, spec.HoldoutFraction, seed: spec.Seed);

        var pipeline = Featurize(ml, spec)
            .Append(AlgorithmCatalog.Create(ml, spec.Task, candidate.Algorithm, candidate.Params, LabelColumn, FeaturesColumn, spec.Seed));
        var fit = Stopwatch.StartNew();
        var model = spec.Task == ModelTask.MulticlassClassification
            ? pipeline.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(split.TrainSet)
            : (ITransformer)pipeline.Fit(split.TrainSet);
        fit.Stop();
        cancellationToken.ThrowIfCancellationRequested();

        var outputs = spec.Task switch
        {
            ModelTask.BinaryClassification => new[] { "PredictedLabel", "Probability", "Score" },
            ModelTask.MulticlassClassification => ["PredictedLabel", "Score"],
            _ => ["Score"],
        };
        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(model, Load(ml, spec, csvPath, withLabel: false), stream, outputs);
            onnx = stream.ToArray();
        }

        var holdout = Holdout.Read(spec, split.TestSet);
        if (spec.Task == ModelTask.BinaryClassification && holdout.Labels.Distinct().Count() < 2)
        {
            throw new InvalidOperationException(
                $"The holdout has only one class of '{spec.Label}': binary labels must be 0/1 or true/false with both values present.");
        }

        using var scorer = new OnnxScorer(onnx);
        var scores = scorer.Score(holdout);
        var metrics = new Dictionary<string, double>(MetricCalculator.Compute(spec.Task, holdout, scores), StringComparer.Ordinal)
        {
            [MetricNames.OnnxParity] = Parity(spec.Task, model.Transform(split.TestSet), scores),
        };
        if (metrics[MetricNames.OnnxParity] > ParityTolerance)
        {
            throw new InvalidOperationException($"ONNX export does not match ML.NET on the holdout (largest relative difference {metrics[MetricNames.OnnxParity]:G3}).");
        }

        return new Result(onnx, metrics, scorer.FriendlyOutputs(spec.Task), holdout.Classes, BaselineBuilder.Build(spec, split.TrainSet), started.ElapsedMilliseconds, fit.Elapsed.TotalMilliseconds);
    }

    /// <summary>Writes the spec's exact train/holdout split as CSVs (features, then the label), so other tools can be compared on the same rows.</summary>
    public static void ExportSplit(TrainingSpec spec, string csvPath, string trainPath, string testPath)
    {
        var ml = new MLContext(spec.Seed);
        var split = ml.Data.TrainTestSplit(PrepareLabel(ml, spec.Task, Load(ml, spec, csvPath, withLabel: true)), spec.HoldoutFraction, seed: spec.Seed);
        Write(Holdout.Read(spec, split.TrainSet), trainPath);
        Write(Holdout.Read(spec, split.TestSet), testPath);

        void Write(Holdout rows, string path)
        {
            using var writer = new StreamWriter(path);
            writer.WriteLine(string.Join(',', rows.Features.Select(f => f.Feature.Name).Append("label")));
            for (var i = 0; i < rows.Count; i++)
            {
                var label = rows.Classes is { } classes ? classes[(int)rows.Labels[i]] : rows.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
                writer.WriteLine(string.Join(',', rows.Features.Select(f => f.Values is float[] v ? v[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture) : ((string[])f.Values)[i]).Append(label)));
            }
        }
    }

    /// <summary>Scores an existing ONNX model (e.g. the champion) on this spec's holdout; null when it does not take these features.</summary>
    /// <param name="modelClasses">The model's class order (multiclass: recorded at its registration); its scores are
    /// remapped to this holdout's class order, which follows first occurrence in the data and so can differ.</param>
    public static IReadOnlyDictionary<string, double>? Evaluate(TrainingSpec spec, string csvPath, byte[] onnx, IReadOnlyList<string>? modelClasses = null)
    {
        var ml = new MLContext(spec.Seed);
        var data = PrepareLabel(ml, spec.Task, Load(ml, spec, csvPath, withLabel: true));
        var split = ml.Data.TrainTestSplit(data, spec.HoldoutFraction, seed: spec.Seed);
        var holdout = Holdout.Read(spec, split.TestSet);
        using var scorer = new OnnxScorer(onnx);
        if (!scorer.Accepts(spec))
        {
            return null;
        }

        var scores = scorer.Score(holdout);
        if (modelClasses is not null && holdout.Classes is { } current && scores.PerRow == modelClasses.Count && !modelClasses.SequenceEqual(current))
        {
            scores = RemapClasses(scores, modelClasses, current);
        }

        return MetricCalculator.Compute(spec.Task, holdout, scores);
    }

    /// <summary>Scores in the model's class order → the holdout's; a class the model never saw scores 0.</summary>
    internal static OnnxScorer.Scores RemapClasses(OnnxScorer.Scores scores, IReadOnlyList<string> modelClasses, IReadOnlyList<string> holdoutClasses)
    {
        var source = holdoutClasses.Select(c => IndexOf(modelClasses, c)).ToArray();
        var rows = scores.Values.Length / scores.PerRow;
        var remapped = new float[rows * holdoutClasses.Count];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < source.Length; j++)
            {
                remapped[r * source.Length + j] = source[j] < 0 ? 0f : scores.Values[r * scores.PerRow + source[j]];
            }
        }

        return new OnnxScorer.Scores(remapped, holdoutClasses.Count);
    }

    private static int IndexOf(IReadOnlyList<string> classes, string value)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (classes[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static IDataView Load(MLContext ml, TrainingSpec spec, string csvPath, bool withLabel)
    {
        var names = Datasets.CsvProfiler.ReadHeader(csvPath);
        var columns = spec.Features
            .Select(f => new TextLoader.Column(f.Name, f.Type == DatasetColumn.Number ? DataKind.Single : DataKind.String, Array.IndexOf(names, f.Name)))
            .ToList();
        if (withLabel)
        {
            columns.Add(new TextLoader.Column(LabelColumn, LabelKind(spec), Array.IndexOf(names, spec.Label)));
        }

        return ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns],
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
            TrimWhitespace = true,
        }).Load(csvPath);

        static DataKind LabelKind(TrainingSpec spec) => spec.Task switch
        {
            ModelTask.BinaryClassification => DataKind.Boolean,
            ModelTask.MulticlassClassification => spec.LabelType == DatasetColumn.Number ? DataKind.Single : DataKind.String,
            _ => DataKind.Single,
        };
    }

    private static IDataView PrepareLabel(MLContext ml, ModelTask task, IDataView data) =>
        task == ModelTask.MulticlassClassification
            ? ml.Transforms.Conversion.MapValueToKey(LabelColumn).Fit(data).Transform(data)
            : data;

    private static IEstimator<ITransformer> Featurize(MLContext ml, TrainingSpec spec)
    {
        var numeric = spec.Features.Where(f => f.Type == DatasetColumn.Number).Select(f => f.Name).ToArray();
        var text = spec.Features.Where(f => f.Type != DatasetColumn.Number).Select(f => f.Name).ToArray();
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        if (numeric.Length > 0)
        {
            chain = chain.Append(ml.Transforms.Concatenate("__numeric__", numeric))
                .Append(ml.Transforms.ReplaceMissingValues("__numeric__", replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean));
            parts.Add("__numeric__");
        }

        foreach (var column in text)
        {
            chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding($"__onehot_{column}__", column));
            parts.Add($"__onehot_{column}__");
        }

        return chain.Append(ml.Transforms.Concatenate(FeaturesColumn, [.. parts]))
            .Append(ml.Transforms.NormalizeMinMax(FeaturesColumn));
    }

    private static double Parity(ModelTask task, IDataView predictions, OnnxScorer.Scores onnx)
    {
        var column = task == ModelTask.BinaryClassification ? "Probability" : "Score";
        var expected = task == ModelTask.MulticlassClassification
            ? predictions.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues()).ToArray()
            : predictions.GetColumn<float>(column).ToArray();
        var actual = onnx.Values;
        if (expected.Length != actual.Length)
        {
            return double.PositiveInfinity;
        }

        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i])));
        }

        return max;
    }
}

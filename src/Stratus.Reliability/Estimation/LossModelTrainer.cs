using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Stratus.Core.Training;
using Stratus.Reliability.Served;

namespace Stratus.Reliability.Estimation;

/// <summary>
/// DLE's loss models (NannyML, nannyml/performance_estimation/direct_loss_estimation/dle.py): LightGBM regressors from
/// the features plus the model's prediction to the absolute error and to the squared error, trained on a seeded half
/// of the reference and checked on the other half. LightGBM's own defaults, as NannyML uses them: 31 leaves, 20 rows
/// per leaf, learning rate 0.1, 100 rounds. Text features are one-hot encoded (unseen values encode as all zeros).
/// </summary>
public static class LossModelTrainer
{
    public const string Absolute = "absolute";
    public const string Squared = "squared";

    public sealed record Trained(byte[] Absolute, byte[] Squared, IReadOnlyDictionary<string, double> Check);

    public static Trained Train(FeatureColumns columns, IReadOnlyList<string[]> rows, IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        var encoded = rows.Select((row, i) => LossInputs.FromText(columns, row, predicted[i])).ToArray();
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(17).Shuffle(order);
        var train = order[..(order.Length / 2)];
        var check = order[(order.Length / 2)..];

        var ml = new MLContext(seed: 17);
        byte[] Fit(Func<int, double> loss)
        {
            var data = ml.Data.LoadFromEnumerable(train.Select(i => encoded[i] with { Label = (float)loss(i) }), LossInputs.Schema(columns));
            var pipeline = ml.Transforms.Categorical.OneHotEncoding(LossInputs.EncodedTexts, nameof(LossRow.Texts))
                .Append(ml.Transforms.Concatenate(LossInputs.Features, nameof(LossRow.Numbers), LossInputs.EncodedTexts))
                .Append(ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                {
                    LabelColumnName = nameof(LossRow.Label),
                    FeatureColumnName = LossInputs.Features,
                    NumberOfLeaves = 31,
                    MinimumExampleCountPerLeaf = 20,
                    LearningRate = 0.1,
                    NumberOfIterations = 100,
                    Seed = 17,
                    NumberOfThreads = 1,
                }));
            var model = pipeline.Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            return stream.ToArray();
        }

        var absolute = Fit(i => Math.Abs(actual[i] - predicted[i]));
        var squared = Fit(i => (actual[i] - predicted[i]) * (actual[i] - predicted[i]));

        using var absoluteModel = LossModel.Load(absolute, columns);
        using var squaredModel = LossModel.Load(squared, columns);
        var checkRows = check.Select(i => encoded[i]).ToArray();
        return new Trained(absolute, squared, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["rows"] = check.Length,
            [MetricNames.Mae] = check.Average(i => Math.Abs(actual[i] - predicted[i])),
            ["estimatedMae"] = checkRows.Average(absoluteModel.Predict),
            [MetricNames.Rmse] = Math.Sqrt(check.Average(i => (actual[i] - predicted[i]) * (actual[i] - predicted[i]))),
            ["estimatedRmse"] = Math.Sqrt(checkRows.Average(squaredModel.Predict)),
        });
    }
}

/// <summary>One row as the loss models read it: numeric features then the prediction, and the text features.</summary>
public sealed record LossRow
{
    public float[] Numbers { get; init; } = [];
    public string[] Texts { get; init; } = [];
    public float Label { get; init; }
}

/// <summary>What a loss model answers.</summary>
public sealed class LossScore
{
    public float Score { get; set; }
}

/// <summary>How rows become <see cref="LossRow"/>s, defined once for training and serving.</summary>
public static class LossInputs
{
    public const string EncodedTexts = "TextsEncoded";
    public const string Features = "Features";

    /// <summary>A version without text features still gets one constant text slot, so every loss model has the same shape.</summary>
    private static readonly string[] NoTexts = [""];

    public static int NumberCount(FeatureColumns columns) => Enumerable.Range(0, columns.Names.Count).Count(c => !columns.IsText(c)) + 1;

    public static int TextCount(FeatureColumns columns) => Math.Max(1, Enumerable.Range(0, columns.Names.Count).Count(columns.IsText));

    public static SchemaDefinition Schema(FeatureColumns columns)
    {
        var schema = SchemaDefinition.Create(typeof(LossRow));
        schema[nameof(LossRow.Numbers)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, NumberCount(columns));
        schema[nameof(LossRow.Texts)].ColumnType = new VectorDataViewType(TextDataViewType.Instance, TextCount(columns));
        return schema;
    }

    public static LossRow FromText(FeatureColumns columns, string[] row, double predicted) =>
        From(columns, c => columns.IsText(c) ? (row[c], double.NaN) : (null, double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN), predicted);

    public static LossRow From(FeatureColumns columns, Func<int, (string? Text, double Number)> value, double predicted)
    {
        var numbers = new float[NumberCount(columns)];
        var texts = new List<string>();
        var n = 0;
        for (var c = 0; c < columns.Names.Count; c++)
        {
            var (text, number) = value(c);
            if (columns.IsText(c))
            {
                texts.Add(text ?? "");
            }
            else
            {
                numbers[n++] = (float)number;
            }
        }

        numbers[n] = (float)predicted;
        return new LossRow { Numbers = numbers, Texts = texts.Count == 0 ? NoTexts : [.. texts] };
    }
}

/// <summary>A loaded loss model. Not thread-safe on its own (ML.NET's prediction engine), so calls are serialized.</summary>
public sealed class LossModel : IDisposable
{
    private readonly object _gate = new();
    private readonly PredictionEngine<LossRow, LossScore> _engine;

    private LossModel(PredictionEngine<LossRow, LossScore> engine) => _engine = engine;

    public static LossModel Load(byte[] bytes, FeatureColumns columns)
    {
        var ml = new MLContext(seed: 17);
        using var stream = new MemoryStream(bytes);
        var model = ml.Model.Load(stream, out _);
        return new LossModel(ml.Model.CreatePredictionEngine<LossRow, LossScore>(model, inputSchemaDefinition: LossInputs.Schema(columns)));
    }

    /// <summary>The predicted loss, clipped at 0 as NannyML clips it.</summary>
    public double Predict(LossRow row)
    {
        lock (_gate)
        {
            return Math.Max(0, _engine.Predict(row).Score);
        }
    }

    public void Dispose() => _engine.Dispose();
}

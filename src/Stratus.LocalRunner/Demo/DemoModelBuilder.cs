using Microsoft.ML;
using Microsoft.ML.Data;

namespace Stratus.LocalRunner.Demo;

/// <summary>
/// Builds the ready-made ONNX files in <c>samples/models/*/model.onnx</c> (for trying uploads; tests and the predict
/// benchmark use them) from the real datasets in <c>samples/data</c>. The runner's demo models are trained through
/// the TrainModel orchestration instead. Deterministic: a fixed seed and single-threaded trainers, so re-running
/// it reproduces the shipped files.
/// </summary>
public static class DemoModelBuilder
{
    public const int Seed = 42;

    /// <summary>Writes <c>{outputDirectory}/{model}/model.onnx</c> and <c>card.json</c> for each demo model.</summary>
    public static IReadOnlyList<string> Build(string dataDirectory, string outputDirectory)
    {
        var written = new List<string>
        {
            BuildBinary(Path.Combine(dataDirectory, "breast_cancer.csv"), Path.Combine(outputDirectory, "breast-cancer")),
            BuildMulticlass(Path.Combine(dataDirectory, "iris.csv"), Path.Combine(outputDirectory, "iris")),
        };
        return written;
    }

    private static string BuildBinary(string csv, string directory)
    {
        var ml = new MLContext(Seed);
        var (data, features) = Load(ml, csv, labelType: DataKind.Boolean);
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = 40,
                NumberOfLeaves = 8,
                MinimumExampleCountPerLeaf = 10,
                LearningRate = 0.2,
                NumberOfThreads = 1,
                Seed = Seed,
            }));
        var model = pipeline.Fit(data);
        Export(ml, model, features.Length, directory, "PredictedLabel", "Probability", "Score");
        WriteCard(directory, new
        {
            name = "breast-cancer",
            description = "Demo: FastTree binary classifier on the UCI Wisconsin breast cancer data (1 = benign). Trained by Stratus (samples/models/breast-cancer/train.json).",
            task = "binary-classification",
            tier = "cpu",
            businessObjective = "Flag likely malignant biopsies for priority review",
            businessMetric = "malignant cases reviewed within 24h",
            mlMetric = "auc",
            featureNames = features,
        });
        return directory;
    }

    private static string BuildMulticlass(string csv, string directory)
    {
        var ml = new MLContext(Seed);
        var (raw, features) = Load(ml, csv, labelType: DataKind.Single);

        // The label → key mapping is fitted outside the exported model, which takes features only.
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                NumberOfThreads = 1,
                L2Regularization = 0.01f,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        Export(ml, model, features.Length, directory, "PredictedLabel", "Score");
        WriteCard(directory, new
        {
            name = "iris",
            description = "Demo: L-BFGS maximum entropy classifier on Fisher's iris data (0 setosa, 1 versicolor, 2 virginica). Trained by Stratus (samples/models/iris/train.json).",
            task = "multiclass-classification",
            tier = "cpu",
            businessObjective = "Sort flowers into species",
            businessMetric = "correctly sorted flowers per hour",
            mlMetric = "accuracy",
            featureNames = features,
        });
        return directory;
    }

    /// <summary>Loads a CSV whose last column is the label into Features (vector) + Label.</summary>
    private static (IDataView Data, string[] Features) Load(MLContext ml, string csv, DataKind labelType)
    {
        var header = File.ReadLines(csv).First().Split(',');
        var features = header[..^1];
        var loader = ml.Data.CreateTextLoader(
            [
                new TextLoader.Column("Features", DataKind.Single, 0, features.Length - 1),
                new TextLoader.Column("Label", labelType, features.Length),
            ],
            separatorChar: ',',
            hasHeader: true);
        return (loader.Load(csv), features);
    }

    /// <summary>
    /// Exports against a fresh features-only data view (the converter walks a transformed view back to its
    /// loader and would add a Label input), keeping only the named outputs.
    /// </summary>
    private static void Export(MLContext ml, ITransformer model, int featureCount, string directory, params string[] outputs)
    {
        Directory.CreateDirectory(directory);
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        var featuresOnly = ml.Data.LoadFromEnumerable([new FeatureRow { Features = new float[featureCount] }], schema);
        using var stream = File.Create(Path.Combine(directory, "model.onnx"));
        ml.Model.ConvertToOnnx(model, featuresOnly, stream, outputs);
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private static readonly System.Text.Json.JsonSerializerOptions CardJson = new() { WriteIndented = true };

    private static void WriteCard(string directory, object card) =>
        File.WriteAllText(Path.Combine(directory, "card.json"), System.Text.Json.JsonSerializer.Serialize(card, CardJson) + Environment.NewLine);
}

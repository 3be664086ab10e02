using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Models;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;
using Stratus.Serving.Onnx;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit.Reliability;

public sealed class OutputReaderTests
{
    // Rows 1 (malignant, label 0) and 20 (benign, label 1) of samples/data/breast_cancer.csv.
    private static readonly float[] TwoRows =
    [
        17.99f, 10.38f, 122.8f, 1001.0f, 0.1184f, 0.2776f, 0.3001f, 0.1471f, 0.2419f, 0.07871f, 1.095f, 0.9053f, 8.589f, 153.4f, 0.006399f, 0.04904f, 0.05373f, 0.01587f, 0.03003f, 0.006193f, 25.38f, 17.33f, 184.6f, 2019.0f, 0.1622f, 0.6656f, 0.7119f, 0.2654f, 0.4601f, 0.1189f,
        13.54f, 14.36f, 87.46f, 566.3f, 0.09779f, 0.08129f, 0.06664f, 0.04781f, 0.1885f, 0.05766f, 0.2699f, 0.7886f, 2.058f, 23.56f, 0.008462f, 0.0146f, 0.02387f, 0.01315f, 0.0198f, 0.0023f, 15.11f, 19.26f, 99.7f, 711.2f, 0.144f, 0.1773f, 0.239f, 0.1288f, 0.2977f, 0.07259f,
    ];

    [Fact]
    public void An_uploaded_binary_model_reads_as_its_label_output_and_a_probability_per_class()
    {
        using var model = SampleModels.Load("breast-cancer");
        var outputs = model.Run([new TensorData("Features", TensorElementType.Float, [2, 30], TwoRows)]);
        var probability = (float[])outputs.Single(o => o.Name == "Probability.output").Data;

        var rows = OutputReader.For(model.Version, ModelTask.BinaryClassification).Read(outputs, 2);

        Assert.Equal(["0", "1"], rows.Select(r => r.Label));
        Assert.Equal(probability[0], rows[0].Scores![1], 6);
        Assert.Equal(1 - probability[1], rows[1].Scores![0], 6);
    }

    [Fact]
    public void Without_a_label_output_the_class_is_the_argmax_of_the_probabilities_in_the_recorded_class_order()
    {
        var version = Version(ModelTask.MulticlassClassification, new TensorSpec("probabilities", "float", [-1, 3])) with { Classes = ["setosa", "versicolor", "virginica"] };
        var reader = OutputReader.For(version, ModelTask.MulticlassClassification);

        var rows = reader.Read([new TensorData("probabilities", TensorElementType.Float, [2, 3], new[] { 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f })], 2);

        Assert.Equal(["versicolor", "setosa"], rows.Select(r => r.Label));
        Assert.Equal(["class", "p(setosa)", "p(versicolor)", "p(virginica)"], reader.SketchNames);
        Assert.Equal([(string?)"versicolor", null, null, null], reader.SketchValues(rows[0]).Select(v => v.Text));
    }

    [Fact]
    public void A_regressor_reads_its_first_numeric_output_as_the_value()
    {
        var version = Version(ModelTask.Regression, new TensorSpec("variable", "float", [-1, 1]));

        var rows = OutputReader.For(version, ModelTask.Regression).Read([new TensorData("variable", TensorElementType.Float, [2, 1], new[] { 2.5f, -1f })], 2);

        Assert.Equal([2.5, -1.0], rows.Select(r => r.Value!.Value));
        Assert.All(rows, r => Assert.Null(r.Label));
    }

    [Theory]
    [InlineData("true", "1")]
    [InlineData("False", "0")]
    [InlineData("2.0", "2")]
    [InlineData(" setosa ", "setosa")]
    [InlineData("0.25", "0.25")]
    public void Class_labels_from_text_are_spelled_one_way(string text, string expected) =>
        Assert.Equal(expected, ClassLabels.FromText(text));

    private static ModelVersion Version(ModelTask task, params TensorSpec[] outputs) => new()
    {
        Model = "m",
        Version = 1,
        ArtifactPath = "m/1/model.onnx",
        Sha256 = "",
        SizeBytes = 1,
        Signature = new ModelSignature([new TensorSpec("x", "float", [-1, 4])], outputs),
        Lineage = new Lineage { Source = Lineage.UploadSource },
    };
}

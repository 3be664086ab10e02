using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Tests.Fixtures;
using Stratus.Training.Pipelines;

namespace Stratus.Tests.Unit;

/// <summary>Real ML.NET training on the shipped datasets, exported to ONNX and scored by ONNX Runtime.</summary>
public sealed class TabularTrainerTests
{
    [Theory]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    [InlineData("sdca")]
    [InlineData("lbfgs")]
    public void Binary_candidates_train_export_and_reproduce(string algorithm)
    {
        var spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate(algorithm)] });
        var first = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("breast_cancer"), CancellationToken.None);
        var second = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("breast_cancer"), CancellationToken.None);

        Assert.InRange(first.Metrics["auc"], 0.95, 1.0);
        Assert.InRange(first.Metrics["accuracy"], 0.85, 1.0);
        Assert.InRange(first.Metrics[MetricNames.OnnxParity], 0, TabularTrainer.ParityTolerance);
        Assert.Equal(SHA256.HashData(first.Onnx), SHA256.HashData(second.Onnx));
        Assert.Equal(first.Metrics, second.Metrics);
        Assert.Equal(new Dictionary<string, string> { ["label"] = "PredictedLabel.output", ["probability"] = "Probability.output" }, first.Outputs);

        using var session = new InferenceSession(first.Onnx);
        Assert.Equal(spec.Features.Select(f => f.Name), session.InputNames);
        Assert.All(session.InputMetadata.Values, m => Assert.Equal([-1, 1], m.Dimensions));
        Assert.Equal(30, first.Baseline.Count);
        Assert.All(first.Baseline, b => Assert.Equal(1.0, b.BinFrequencies!.Sum(), 6));
    }

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("sdca")]
    [InlineData("lbfgs")]
    public void Multiclass_candidates_keep_class_labels(string algorithm)
    {
        var spec = TrainingSpecs.Resolve("iris", new TrainRequest { Label = "label", Task = ModelTask.MulticlassClassification, Candidates = [TrainingSpecs.Candidate(algorithm)] });
        var result = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("iris"), CancellationToken.None);
        Assert.InRange(result.Metrics["micro-accuracy"], 0.8, 1.0);
        Assert.InRange(result.Metrics["macro-accuracy"], 0.8, 1.0);
        Assert.Equal(["0", "1", "2"], result.Classes!.Order());
        Assert.Equal("Score.output", result.Outputs["probabilities"]);
    }

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    [InlineData("sdca")]
    public void Regression_candidates_fit(string algorithm)
    {
        // Predict mean_area from the other features: a real, well-determined regression target.
        var spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest
        {
            Label = "mean_area",
            Task = ModelTask.Regression,
            Features = ["mean_radius", "mean_perimeter", "mean_texture", "worst_area"],
            Candidates = [TrainingSpecs.Candidate(algorithm)],
        });
        var result = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("breast_cancer"), CancellationToken.None);
        Assert.InRange(result.Metrics["r2"], 0.9, 1.0);
        Assert.True(result.Metrics["rmse"] > 0);
        Assert.Equal(new Dictionary<string, string> { ["value"] = "Score.output" }, result.Outputs);
    }

    [Fact]
    public void A_champion_onnx_is_scored_on_the_same_holdout()
    {
        var spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate("fasttree")] });
        var trained = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("breast_cancer"), CancellationToken.None);
        var rescored = TabularTrainer.Evaluate(spec, TrainingSpecs.Csv("breast_cancer"), trained.Onnx);
        Assert.Equal(trained.Metrics["auc"], rescored!["auc"], 12);

        // The demo model takes one vector input, not these features: not comparable.
        Assert.Null(TabularTrainer.Evaluate(spec, TrainingSpecs.Csv("breast_cancer"), File.ReadAllBytes(TestPaths.SampleModel("breast-cancer"))));
    }

    [Fact]
    public void A_binary_label_with_one_class_fails_with_a_clear_message()
    {
        var csv = Path.Combine(Path.GetTempPath(), $"one-class-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(csv, ["x,label", .. Enumerable.Range(0, 60).Select(i => $"{i},1")]);
        try
        {
            var spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Features = ["mean_radius"], Candidates = [TrainingSpecs.Candidate("lbfgs")] })
                with { Features = [new FeatureSpec("x", "number")] };
            var error = Assert.Throws<InvalidOperationException>(() => TabularTrainer.Train(spec, 0, csv, CancellationToken.None));
            Assert.Contains("0/1 or true/false", error.Message);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void A_multiclass_champion_is_scored_in_the_holdouts_class_order_even_when_the_data_lists_classes_in_another_order()
    {
        var spec = TrainingSpecs.Resolve("iris", new TrainRequest { Label = "label", Task = ModelTask.MulticlassClassification, Candidates = [TrainingSpecs.Candidate("lbfgs")] });
        var trained = TabularTrainer.Train(spec, 0, TrainingSpecs.Csv("iris"), CancellationToken.None);

        // The same rows, class 2 first: label keys follow first occurrence, so this holdout's class order is 2, 1, 0.
        var lines = File.ReadAllLines(TrainingSpecs.Csv("iris"));
        var reordered = Path.Combine(Path.GetTempPath(), $"iris-reordered-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(reordered, lines.Take(1).Concat(lines.Skip(1).OrderByDescending(l => l.Split(',')[^1], StringComparer.Ordinal)));
        try
        {
            var remapped = TabularTrainer.Evaluate(spec, reordered, trained.Onnx, trained.Classes)!;
            var naive = TabularTrainer.Evaluate(spec, reordered, trained.Onnx)!;
            Assert.True(remapped[MetricNames.MicroAccuracy] > 0.9, $"remapped accuracy {remapped[MetricNames.MicroAccuracy]}");
            Assert.True(naive[MetricNames.MicroAccuracy] < 0.5, $"without the model's class order the comparison is wrong: {naive[MetricNames.MicroAccuracy]}");
        }
        finally
        {
            File.Delete(reordered);
        }
    }
}

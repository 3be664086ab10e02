using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Core.Training;
using Stratus.Tests.Fixtures;
using Stratus.Training;

namespace Stratus.Tests.Unit;

public sealed class TrainingSpecResolverTests
{
    [Fact]
    public void Defaults_are_filled_and_grids_expanded()
    {
        var spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest
        {
            Label = "label",
            Task = ModelTask.BinaryClassification,
            Candidates = [TrainingSpecs.Candidate("lightgbm", new { numberOfLeaves = new[] { 8, 16 }, learningRate = new[] { 0.05, 0.1 } })],
        });

        Assert.Equal(30, spec.Features.Count);
        Assert.DoesNotContain(spec.Features, f => f.Name == "label");
        Assert.Equal(4, spec.Candidates.Count);
        Assert.All(spec.Candidates, c => Assert.Equal(100, c.Params["numberOfIterations"]));
        Assert.Equal([8.0, 8, 16, 16], spec.Candidates.Select(c => c.Params["numberOfLeaves"]).Order());
        Assert.Equal((0.2, 42, "auc", PromotionPolicy.IfBetter), (spec.HoldoutFraction, spec.Seed, spec.Metric, spec.Promote));
        Assert.Equal(64, spec.Dataset.Sha256.Length);
    }

    [Fact]
    public void Task_can_come_from_the_card()
    {
        var spec = TrainingSpecs.Resolve("iris", new TrainRequest { Label = "label" }, ModelTask.MulticlassClassification);
        Assert.Equal(ModelTask.MulticlassClassification, spec.Task);
        Assert.Equal("micro-accuracy", spec.Metric);
        Assert.Equal(["lightgbm", "lbfgs"], spec.Candidates.Select(c => c.Algorithm));
    }

    public static TheoryData<TrainRequest, string> Invalid => new()
    {
        { new TrainRequest { Task = ModelTask.BinaryClassification }, "'label' is required" },
        { new TrainRequest { Label = "nope", Task = ModelTask.BinaryClassification }, "Label 'nope' is not a column" },
        { new TrainRequest { Label = "label" }, "'task' is required" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Features = ["mean_radius", "colour"] }, "Feature 'colour'" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Features = ["label"] }, "is the label" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate("xgboost")] }, "Unknown algorithm 'xgboost'" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate("lightgbm", new { depth = 3 })] }, "has no parameter 'depth'" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate("lightgbm", new { numberOfLeaves = 1.5 })] }, "out of range" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Objective = new ObjectiveRequest("rmse", null) }, "does not fit binary-classification" },
        { new TrainRequest { Label = "label", Task = ModelTask.Regression, Candidates = [TrainingSpecs.Candidate("lbfgs")] }, "does not support regression" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Validation = new ValidationRequest(0.95, null) }, "holdoutFraction" },
        { new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification, Candidates = [TrainingSpecs.Candidate("lightgbm", new { numberOfLeaves = Enumerable.Range(2, 70).ToArray() })] }, "more than 64" },
        {
            // 4 parameters × 1000 values: 10¹² combinations, refused from the product before any is built.
            new TrainRequest
            {
                Label = "label",
                Task = ModelTask.BinaryClassification,
                Candidates = [TrainingSpecs.Candidate("lightgbm", new
                {
                    numberOfLeaves = Enumerable.Range(2, 1000).ToArray(),
                    learningRate = Enumerable.Range(1, 1000).Select(i => i / 1000.0).ToArray(),
                    numberOfIterations = Enumerable.Range(1, 1000).ToArray(),
                    minimumExampleCountPerLeaf = Enumerable.Range(1, 1000).ToArray(),
                })],
            },
            "expands to 1E+12 candidates"
        },
    };

    [Fact]
    public void Classification_labels_are_checked_against_the_profiled_classes_before_any_run()
    {
        var dataset = TrainingSpecs.Dataset("breast_cancer");
        DatasetVersion WithLabel(string[] values, int missing = 0) => dataset with
        {
            Columns = dataset.Columns.Select(c => c.Name == "label" ? c with { Type = DatasetColumn.Text, Values = values, Missing = missing } : c).ToArray(),
        };

        var binary = new TrainRequest { Label = "label", Task = ModelTask.BinaryClassification };
        var text = Assert.Throws<DomainException>(() => TrainingSpecResolver.Resolve(binary, WithLabel(["B", "M"]), null));
        Assert.Contains("boolean label", text.Detail);
        Assert.Contains("B, M", text.Detail);
        Assert.Contains("1.0", Assert.Throws<DomainException>(() => TrainingSpecResolver.Resolve(binary, WithLabel(["0", "1.0"]), null)).Detail); // ML.NET cannot read 1.0 as a boolean
        Assert.Contains("0/1", Assert.Throws<DomainException>(() => TrainingSpecResolver.Resolve(binary, WithLabel(["0", "1", "2"]), null)).Detail);
        Assert.Contains("single class", Assert.Throws<DomainException>(() => TrainingSpecResolver.Resolve(binary, WithLabel(["1", "yes"]), null)).Detail);

        // Accepted: what ML.NET reads as booleans (an empty cell is false), and any classes for multiclass.
        Assert.NotNull(TrainingSpecResolver.Resolve(binary, WithLabel(["false", "true"]), null));
        Assert.NotNull(TrainingSpecResolver.Resolve(binary, WithLabel(["-1", "1"]), null));
        Assert.NotNull(TrainingSpecResolver.Resolve(binary, WithLabel(["No", "Yes"]), null));
        Assert.NotNull(TrainingSpecResolver.Resolve(binary, WithLabel(["1"], missing: 10), null));
        Assert.NotNull(TrainingSpecResolver.Resolve(binary, dataset, null));
        Assert.NotNull(TrainingSpecResolver.Resolve(binary with { Task = ModelTask.MulticlassClassification }, WithLabel(["B", "M"]), null));
        Assert.Contains("single class", Assert.Throws<DomainException>(() => TrainingSpecResolver.Resolve(binary with { Task = ModelTask.MulticlassClassification }, WithLabel(["B"]), null)).Detail);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_specs_are_400_before_anything_starts(TrainRequest request, string expected)
    {
        var problem = Assert.Throws<DomainException>(() => TrainingSpecs.Resolve("breast_cancer", request));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        Assert.Contains(expected, problem.Detail);
    }
}

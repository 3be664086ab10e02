using Stratus.Core.Errors;
using Stratus.Serving.Onnx;
using Stratus.Serving.Rows;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

public sealed class RowBinderTests : IDisposable
{
    private static readonly string[] Features = ["sl", "sw", "pl", "pw"];
    private readonly LoadedModel _iris = SampleModels.Load("iris");

    private TensorData[] Bind(string instances, int max = 10) =>
        RowBinder.Bind(JsonDocument.Parse(instances).RootElement, _iris.Layout, _iris.GetFeatureIndex(Features), max);

    [Fact]
    public void Arrays_and_named_objects_bind_to_the_same_tensor()
    {
        var tensor = Assert.Single(Bind("""[[1,2,3,4],{"pw":8,"pl":7,"sw":6,"sl":5}]"""));
        Assert.Equal("Features", tensor.Name);
        Assert.Equal([2L, 4L], tensor.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], (float[])tensor.Data);
    }

    [Fact]
    public void Predictions_come_from_the_model()
    {
        var outputs = _iris.Run(Bind("[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]"));
        var labels = (float[])outputs.Single(o => o.Name == "PredictedLabel.output").Data;
        Assert.Equal([0f, 2f], labels);
        var scores = (float[])outputs.Single(o => o.Name == "Score.output").Data;
        Assert.Equal(6, scores.Length);
        Assert.Equal(1.0, scores[..3].Sum(), 3);
    }

    [Theory]
    [InlineData("[[1,2,3]]", "instances[0] has 3 values; the model takes 4 (features: sl, sw, pl, pw)")]
    [InlineData("""[{"sl":1,"sw":2,"pl":3}]""", "instances[0] is missing feature 'pw'")]
    [InlineData("""[{"sl":1,"sw":2,"pl":3,"pw":4,"x":5}]""", "instances[0] has unknown feature 'x'")]
    [InlineData("""[[1,2,3,true]]""", "instances[0][3] ('pw') must be a float number")]
    [InlineData("[]", "'instances' is empty")]
    [InlineData("[[1,2,3,4],[1,2,3,4],[1,2,3,4]]", "at most 2")]
    [InlineData("{}", "must be an array")]
    public void Bad_rows_are_named(string instances, string expected)
    {
        var problem = Assert.Throws<DomainException>(() => RowBinder.Bind(JsonDocument.Parse(instances).RootElement, _iris.Layout, _iris.GetFeatureIndex(Features), 2));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        Assert.Contains(expected, problem.Detail);
    }

    [Fact]
    public void Objects_need_feature_names()
    {
        var problem = Assert.Throws<DomainException>(() => RowBinder.Bind(JsonDocument.Parse("""[{"a":1}]""").RootElement, _iris.Layout, _iris.GetFeatureIndex(null), 10));
        Assert.Contains("featureNames", problem.Detail);
    }

    [Fact]
    public void Feature_index_is_rebuilt_only_when_the_card_list_changes()
    {
        var first = _iris.GetFeatureIndex(Features);
        Assert.Same(first, _iris.GetFeatureIndex(Features));
        Assert.NotSame(first, _iris.GetFeatureIndex(["a", "b", "c", "d"]));
        Assert.Null(_iris.GetFeatureIndex(["too", "few"])); // one vector input: no names to fall back on
    }

    public void Dispose() => _iris.Dispose();
}

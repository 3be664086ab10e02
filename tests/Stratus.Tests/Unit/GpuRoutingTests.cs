using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving;
using Stratus.Serving.GpuTier;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Onnx;
using Stratus.Serving.Registry;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The routing function's decisions for gpu-tier models, with the tier and the registry Moq'd.</summary>
public sealed class GpuRoutingTests : IDisposable
{
    private static readonly string[] Features = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];
    private readonly LoadedModel _iris = SampleModels.Load("iris");
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Mock<IGpuTierClient> _tier = new(MockBehavior.Strict);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private PredictionService Service(bool cpuFallback)
    {
        var card = new ModelCard { Name = "gpu-iris", Tier = ServingTier.Gpu, CpuFallback = cpuFallback, FeatureNames = Features, Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        var record = _iris.Version with { Model = "gpu-iris" };
        _registry.Setup(r => r.GetCardAsync("gpu-iris", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(card, "e"));
        _registry.Setup(r => r.GetVersionAsync("gpu-iris", 1, It.IsAny<CancellationToken>())).ReturnsAsync(record);
        var artifacts = new Mock<IArtifactStore>();
        artifacts.Setup(a => a.DownloadAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(File.ReadAllBytes(TestPaths.SampleModel("iris")));
        var options = Options.Create(new StratusOptions());
        var telemetry = new ServingTelemetry(_services.GetRequiredService<IMeterFactory>());
        var cache = new ModelSessionCache(options, telemetry, NullLogger<ModelSessionCache>.Instance);
        return new PredictionService(new ModelCatalog(_registry.Object, options, TimeProvider.System), new AliasVersionPolicy(),
            new ModelLoader(_registry.Object, artifacts.Object, cache, new CpuExecutionProvider(), options, NullLogger<ModelLoader>.Instance), _registry.Object, _tier.Object, [], telemetry, options, TimeProvider.System,
            NullLogger<PredictionService>.Instance);
    }

    private static Stream Body(string json) => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));

    private static JsonElement Json(IJsonWritable result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            result.WriteTo(writer);
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement;
    }

    [Fact]
    public async Task Rows_for_a_gpu_model_go_to_the_tier_as_v2_tensors_and_come_back_as_predictions()
    {
        _tier.SetupGet(t => t.IsConfigured).Returns(true);
        JsonElement? sent = null;
        _tier.Setup(t => t.InferAsync("gpu-iris", 1, It.IsAny<ReadOnlyMemory<byte>>(), "req", It.IsAny<CancellationToken>()))
            .ReturnsAsync((string _, int _, ReadOnlyMemory<byte> body, string _, CancellationToken _, string? _) =>
            {
                // Play the tier: run the real model on exactly what was sent.
                var request = JsonDocument.Parse(body).RootElement;
                sent = request.Clone();
                var parsed = V2RequestParser.Parse(request, _iris);
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    new V2InferenceResult("gpu-iris", 1, "req", _iris.Run(parsed.Inputs)).WriteTo(writer);
                }

                return new TierAnswer(buffer.ToArray(), null);
            });

        var result = await Service(cpuFallback: false).PredictAsync("gpu-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2],{"sepal_length_cm":6.7,"sepal_width_cm":3.0,"petal_length_cm":5.2,"petal_width_cm":2.3}]}"""), null, "req", CancellationToken.None);

        var input = sent!.Value.GetProperty("inputs")[0];
        Assert.Equal(("Features", "FP32"), (input.GetProperty("name").GetString(), input.GetProperty("datatype").GetString()));
        Assert.Equal([2L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var predictions = Json(result).GetProperty("predictions");
        Assert.Equal([0f, 2f], predictions.EnumerateArray().Select(p => p.GetProperty("PredictedLabel.output").GetSingle()));
    }

    [Fact]
    public async Task A_down_tier_is_503_unless_the_card_allows_cpu_fallback()
    {
        _tier.SetupGet(t => t.IsConfigured).Returns(true);
        _tier.Setup(t => t.InferAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(ProblemException.ServiceUnavailable("GPU tier unavailable", "down", TimeSpan.FromSeconds(10)));
        const string rows = """{"instances":[[5.1,3.5,1.4,0.2]]}""";

        var refused = await Assert.ThrowsAsync<ProblemException>(() => Service(cpuFallback: false).PredictAsync("gpu-iris", default, Body(rows), null, "r", CancellationToken.None));
        Assert.Equal(503, refused.Status);

        var served = await Service(cpuFallback: true).PredictAsync("gpu-iris", default, Body(rows), null, "r", CancellationToken.None);
        Assert.Equal(0f, Json(served).GetProperty("predictions")[0].GetProperty("PredictedLabel.output").GetSingle());
    }

    public void Dispose()
    {
        _iris.Dispose();
        _services.Dispose();
    }
}

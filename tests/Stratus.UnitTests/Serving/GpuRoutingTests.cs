using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Serving;
using Stratus.Serving.Routing;
using Stratus.GpuTier.Client;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Onnx;
using Stratus.Registry;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The routing function's decisions for gpu-tier models, with the tier and the registry Moq'd.</summary>
public sealed class GpuRoutingTests : IDisposable
{
    private static readonly string[] Features = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];
    private readonly LoadedModel _iris = SampleModels.Load("iris");
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Mock<IGpuTierClient> _tier = new(MockBehavior.Strict);
    private readonly List<ServiceProvider> _providers = [];

    private PredictionService Service(bool cpuFallback)
    {
        var card = new ModelCard { Name = "gpu-iris", Tier = ServingTier.Gpu, CpuFallback = cpuFallback, FeatureNames = Features, Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        var record = _iris.Version with { Model = "gpu-iris" };
        _registry.Setup(r => r.GetCardAsync("gpu-iris", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(card, "e"));
        _registry.Setup(r => r.GetVersionAsync("gpu-iris", 1, It.IsAny<CancellationToken>())).ReturnsAsync(record);
        var artifacts = new Mock<IArtifactStore>();
        artifacts.Setup(a => a.DownloadAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(File.ReadAllBytes(TestPaths.SampleModel("iris")));
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(_registry.Object)
            .AddSingleton(artifacts.Object)
            .AddSingleton(_tier.Object)
            .AddStratusServing();
        services.AddOptions<StratusOptions>();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<PredictionService>();
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
    public async Task A_tier_rejection_reaches_the_caller_as_its_error_and_never_falls_back()
    {
        _tier.Setup(t => t.InferAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new TierResult.Rejected(DomainException.RateLimited("GPU tier busy", "full", TimeSpan.FromSeconds(1))));

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service(cpuFallback: true).PredictAsync("gpu-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2]]}"""), null, "r", CancellationToken.None));

        Assert.Equal(ErrorKind.RateLimited, refused.Kind);
    }

    [Fact]
    public async Task Rows_for_a_gpu_model_go_to_the_tier_as_v2_tensors_and_come_back_as_predictions()
    {
        JsonElement? sent = null;
        _tier.Setup(t => t.InferAsync("gpu-iris", 1, It.IsAny<ReadOnlyMemory<byte>>(), "req", null, It.IsAny<CancellationToken>()))
            .ReturnsAsync((string _, int _, ReadOnlyMemory<byte> body, string _, string? _, CancellationToken _) =>
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

                return new TierResult.Served(buffer.ToArray(), null);
            });

        var result = await Service(cpuFallback: false).PredictAsync("gpu-iris", default, Body("""{"instances":[[5.1,3.5,1.4,0.2],{"sepal_length_cm":6.7,"sepal_width_cm":3.0,"petal_length_cm":5.2,"petal_width_cm":2.3}]}"""), null, "req", CancellationToken.None);

        var input = sent!.Value.GetProperty("inputs")[0];
        Assert.Equal(("Features", "FP32"), (input.GetProperty("name").GetString(), input.GetProperty("datatype").GetString()));
        Assert.Equal([2L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var predictions = Json(result).GetProperty("predictions");
        Assert.Equal([0f, 2f], predictions.EnumerateArray().Select(p => p.GetProperty("PredictedLabel.output").GetSingle()));
    }

    [Fact]
    public async Task An_unavailable_tier_is_unavailable_with_its_retry_after_unless_the_card_allows_cpu_fallback()
    {
        _tier.Setup(t => t.InferAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new TierResult.Unavailable("down", TimeSpan.FromSeconds(10)));
        const string rows = """{"instances":[[5.1,3.5,1.4,0.2]]}""";

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service(cpuFallback: false).PredictAsync("gpu-iris", default, Body(rows), null, "r", CancellationToken.None));
        Assert.Equal((ErrorKind.Unavailable, TimeSpan.FromSeconds(10)), (refused.Kind, refused.RetryAfter));

        var served = await Service(cpuFallback: true).PredictAsync("gpu-iris", default, Body(rows), null, "r", CancellationToken.None);
        Assert.Equal(0f, Json(served).GetProperty("predictions")[0].GetProperty("PredictedLabel.output").GetSingle());
    }

    public void Dispose()
    {
        _iris.Dispose();
        _providers.ForEach(p => p.Dispose());
    }
}

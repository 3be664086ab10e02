using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.LocalRunner.Demo;
using Stratus.Serving.Onnx;
using Stratus.GpuTier;
using Stratus.GpuTier.Hosting;
using Stratus.GpuTier.Endpoints;
using Stratus.GpuTier.Auth;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>The tier's HTTP surface on Kestrel (127.0.0.1, free port): readiness, V2 errors, a full queue answering 429.</summary>
public sealed class GpuTierHttpTests : IAsyncLifetime
{
    private const string Model = "fixed-resnet";
    private readonly TaskCompletionSource<byte[]> _artifact = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // The package's ResNet18 keeps its batch fixed at 1: requests run image by image, slowly enough to queue.
        var onnx = await File.ReadAllBytesAsync(ResNetDemo.ModelPath);
        var record = SampleModels.Record(Model, onnx);
        var card = new ModelCard { Name = Model, Tier = ServingTier.Gpu, Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.GetCardAsync(Model, It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(card, "e"));
        registry.Setup(r => r.GetVersionAsync(Model, 1, It.IsAny<CancellationToken>())).ReturnsAsync(record);
        registry.Setup(r => r.ListVersionsAsync(Model, It.IsAny<CancellationToken>())).ReturnsAsync([record]);
        registry.Setup(r => r.ListCardsAsync(It.IsAny<CancellationToken>())).Returns(() => Cards(card));
        var artifacts = new Mock<IArtifactStore>();
        artifacts.Setup(a => a.DownloadAsync(record.ArtifactPath, It.IsAny<CancellationToken>())).Returns(() => _artifact.Task);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry.Object).AddSingleton(artifacts.Object);
        builder.Services.AddOptions<StratusOptions>().Configure(o =>
        {
            o.Tier.Batching = new BatchingOptions { MaxBatchSize = 1, MaxQueuedRequests = 1 };
            o.Tier.Auth.AllowAnonymous = true;
        });
        builder.Services.AddStratusGpuTier();
        _app = builder.Build();
        _app.MapGpuTier();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
        _artifactBytes = onnx;
    }

    private byte[] _artifactBytes = [];

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async IAsyncEnumerable<ModelCard> Cards(ModelCard card)
    {
        await Task.Yield();
        yield return card;
    }

    [Fact]
    public async Task Ready_only_after_warm_up_then_a_full_queue_answers_429_with_retry_after_and_the_rest_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync($"/v2/models/{Model}/ready")).StatusCode);

        _artifact.SetResult(_artifactBytes); // the model download completes; warm-up follows
        var warmUp = _app.Services.GetServices<IHostedService>().OfType<TierLifetimeService>().Single().ExecuteTask!;
        await warmUp.WaitAsync(TimeSpan.FromSeconds(60)); // the warm-up has ended: the tier says whether it is ready
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/v2/models/{Model}/ready")).StatusCode);
        var missing = await _http.GetAsync("/v2/models/no-such-model");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));

        // Twelve callers with four images each against a queue of one, running image by image.
        var pixels = new float[4 * 3 * 224 * 224];
        var body = JsonSerializer.SerializeToUtf8Bytes(new { inputs = new[] { new { name = "Input247", datatype = "FP32", shape = new[] { 4, 3, 224, 224 }, data = pixels } } });
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            _http.PostAsync($"/v2/models/{Model}/infer", new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } })));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        var served = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToArray();
        Assert.Equal(responses.Length, refused.Length + served.Length);
        Assert.NotEmpty(refused);
        Assert.NotEmpty(served);
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        foreach (var ok in served)
        {
            var output = (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0];
            Assert.Equal([4, 512, 1, 1], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        }
    }
}

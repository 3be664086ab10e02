using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Moq.Protected;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.GpuTier.Client;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The routing function's client for the GPU tier, with its real resilience pipeline and a Moq'd handler.</summary>
public sealed class GpuTierClientTests
{
    private readonly Mock<HttpMessageHandler> _handler = new(MockBehavior.Strict);

    private IGpuTierClient Client(string? audience = null, Azure.Core.TokenCredential? credential = null, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock); // the resilience pipeline's timeouts and delays run on it
        }

        services.AddOptions<StratusOptions>().Configure(o => o.GpuTier = new GpuTierOptions { BaseUrl = "http://127.0.0.1:7072", TimeoutSeconds = 4, Audience = audience });
        if (credential is not null)
        {
            services.AddSingleton(new GpuTierCredential(credential));
        }

        services.AddGpuTierClient();
        services.AddHttpClient(nameof(IGpuTierClient)).ConfigurePrimaryHttpMessageHandler(() => _handler.Object);
        services.AddHttpClient(GpuTierClient.ProbeClientName).ConfigurePrimaryHttpMessageHandler(() => _handler.Object);
        return services.BuildServiceProvider().GetRequiredService<IGpuTierClient>();
    }

    private void Answer(Func<HttpRequestMessage, HttpResponseMessage> respond) =>
        _handler.Protected().Setup<Task<HttpResponseMessage>>("SendAsync", ItExpr.IsAny<HttpRequestMessage>(), ItExpr.IsAny<CancellationToken>())
            .ReturnsAsync((HttpRequestMessage r, CancellationToken _) => respond(r));

    private static readonly byte[] Request = """{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}]}"""u8.ToArray();

    [Fact]
    public async Task Without_a_base_url_the_tier_is_unavailable_and_not_ready_without_any_call()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOptions<StratusOptions>();
        services.AddGpuTierClient();
        var client = services.BuildServiceProvider().GetRequiredService<IGpuTierClient>();

        var result = Assert.IsType<TierResult.Unavailable>(await client.InferAsync("resnet", 1, Request, "r", null, CancellationToken.None));
        Assert.Contains(OptionPaths.GpuTierBaseUrl.Env, result.Reason);
        Assert.False(await client.IsModelReadyAsync("resnet", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Forwards_v2_infer_to_the_versioned_route_with_the_request_id()
    {
        HttpRequestMessage? seen = null;
        byte[]? sentBody = null;
        Answer(r =>
        {
            seen = r;
            sentBody = r.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"outputs":[]}""") };
        });
        var body = Assert.IsType<TierResult.Served>(await Client().InferAsync("resnet", 3, Request, "req-1", null, CancellationToken.None));
        Assert.Equal("""{"outputs":[]}""", System.Text.Encoding.UTF8.GetString(body.Body));
        Assert.Null(body.JsonLength);
        Assert.Equal("http://127.0.0.1:7072/v2/models/resnet/versions/3/infer", seen!.RequestUri!.ToString());
        Assert.Equal("req-1", seen.Headers.GetValues("x-request-id").Single());
        Assert.Equal(Request, sentBody); // passed on byte for byte, not re-encoded
    }

    [Fact]
    public async Task An_unreachable_tier_is_unavailable_with_retry_after_after_one_retry()
    {
        var calls = 0;
        Answer(_ => { calls++; throw new HttpRequestException("connection refused"); });
        var unavailable = Assert.IsType<TierResult.Unavailable>(await Client().InferAsync("resnet", 1, Request, "r", null, CancellationToken.None));
        Assert.True(unavailable.RetryAfter > TimeSpan.Zero);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_tier_that_never_answers_is_unavailable_once_the_configured_timeout_has_passed()
    {
        using var attempted = new SemaphoreSlim(0);
        _handler.Protected().Setup<Task<HttpResponseMessage>>("SendAsync", ItExpr.IsAny<HttpRequestMessage>(), ItExpr.IsAny<CancellationToken>())
            .Returns(async (HttpRequestMessage _, CancellationToken ct) =>
            {
                attempted.Release();
                await Task.Delay(Timeout.Infinite, ct); // until a timeout cancels the attempt
                return new HttpResponseMessage();
            });
        var clock = new TimerSignallingClock();
        var infer = Client(clock: clock).InferAsync("resnet", 1, Request, "r", null, CancellationToken.None);

        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(4)); // the whole call's timeout (TimeoutSeconds) runs on the fake clock
        Assert.True(await attempted.WaitAsync(TimeSpan.FromSeconds(30)), "the tier was never called");
        Assert.False(infer.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.IsType<TierResult.Unavailable>(await infer.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_tiers_429_and_4xx_answers_are_rejections_carrying_its_error()
    {
        Answer(_ => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)) } });
        var clock = new TimerSignallingClock();
        var busyCall = Client(clock: clock).InferAsync("resnet", 1, Request, "r", null, CancellationToken.None);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3)); // the one retry waits out the tier's Retry-After
        clock.Advance(TimeSpan.FromSeconds(3));
        var busy = Assert.IsType<TierResult.Rejected>(await busyCall.WaitAsync(TimeSpan.FromSeconds(30))).Error;
        Assert.Equal((ErrorKind.RateLimited, TimeSpan.FromSeconds(3)), (busy.Kind, busy.RetryAfter!.Value));

        Answer(_ => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("""{"error":"input 'x' must be FP32"}""") });
        var rejected = Assert.IsType<TierResult.Rejected>(await Client().InferAsync("resnet", 1, Request, "r", null, CancellationToken.None)).Error;
        Assert.Equal((ErrorKind.Invalid, "input 'x' must be FP32"), (rejected.Kind, rejected.Detail));
    }

    [Fact]
    public async Task With_an_audience_every_call_carries_the_apps_entra_token_and_a_refusal_is_a_dependency_failure()
    {
        var credential = new Mock<Azure.Core.TokenCredential>();
        credential.Setup(c => c.GetTokenAsync(It.Is<Azure.Core.TokenRequestContext>(r => r.Scopes.Single() == "api://stratus-gpu/.default"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Azure.Core.AccessToken("t0ken", DateTimeOffset.UtcNow.AddHours(1)));
        var seen = new List<string?>();
        Answer(r => { seen.Add(r.Headers.Authorization?.ToString()); return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") }; });
        await Client("api://stratus-gpu", credential.Object).InferAsync("resnet", 1, Request, "r", null, CancellationToken.None);
        Assert.True(await Client("api://stratus-gpu", credential.Object).IsModelReadyAsync("resnet", 1, CancellationToken.None));
        Assert.Equal(["Bearer t0ken", "Bearer t0ken"], seen);

        seen.Clear();
        await Client().InferAsync("resnet", 1, Request, "r", null, CancellationToken.None); // no audience: no token
        Assert.Equal([null], seen);

        Answer(_ => new HttpResponseMessage(HttpStatusCode.Forbidden));
        var refused = Assert.IsType<TierResult.Rejected>(await Client("api://stratus-gpu", credential.Object).InferAsync("resnet", 1, Request, "r", null, CancellationToken.None)).Error;
        Assert.Equal(ErrorKind.DependencyFailed, refused.Kind);
        Assert.Contains("Stratus__GpuTier__Audience", refused.Detail);

        // No token to be had (identity missing, wrong audience): a clear 502, and the tier reads as not ready.
        var broken = new Mock<Azure.Core.TokenCredential>();
        broken.Setup(c => c.GetTokenAsync(It.IsAny<Azure.Core.TokenRequestContext>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Azure.Identity.CredentialUnavailableException("no managed identity endpoint"));
        var noToken = Assert.IsType<TierResult.Rejected>(await Client("api://stratus-gpu", broken.Object).InferAsync("resnet", 1, Request, "r", null, CancellationToken.None)).Error;
        Assert.Equal(ErrorKind.DependencyFailed, noToken.Kind);
        Assert.Contains("no managed identity endpoint", noToken.Detail);
        Assert.False(await Client("api://stratus-gpu", broken.Object).IsModelReadyAsync("resnet", 1, CancellationToken.None));
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Azurite stopped under a running runner, then restarted where it was: what callers see, and what is kept.</summary>
[Collection(StorageOutageCollection.Name)]
public sealed class StorageOutageTests(RunnerFixture fixture)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task While_storage_is_down_calls_answer_200_or_503_with_retry_after_and_after_it_returns_service_recovers_within_10_s_keeping_every_acknowledged_write()
    {
        var features = PredictEndToEndTests.CardFeatures("iris");
        var first = await fixture.RegisterAsync("outage", "iris", new { featureNames = features });
        var second = await fixture.RegisterAsync("outage", "iris", new { featureNames = features });
        using var admin = fixture.Client();
        admin.Timeout = CallTimeout;
        (await admin.PutAsJsonAsync("/api/models/outage/aliases/champion", new { version = first })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/models/outage/aliases/challenger", new { version = second })).EnsureSuccessStatusCode();
        var row = new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } };
        (await admin.PostAsJsonAsync("/api/models/outage/predict", row)).EnsureSuccessStatusCode();

        await fixture.Storage.StopAsync();
        var moved = false;
        try
        {
            // Reads, predict (its card and session may be cached), an alias move and an upload: each answers in time,
            // with success or 503 + Retry-After, never a 500.
            foreach (var call in new Func<Task<HttpResponseMessage>>[]
            {
                () => admin.GetAsync("/api/models/outage"),
                () => admin.PostAsJsonAsync("/api/models/outage/predict", row),
                () => admin.PutAsJsonAsync("/api/models/outage/aliases/champion", new { version = second }),
                () => Upload(admin),
                () => admin.GetAsync("/api/models/outage/monitoring"),
            })
            {
                using var response = await call();
                Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (!response.IsSuccessStatusCode)
                {
                    Assert.NotNull(response.Headers.RetryAfter);
                }
                else if (response.RequestMessage.Method == HttpMethod.Put)
                {
                    moved = true;
                }
            }
        }
        finally
        {
            await fixture.Storage.RestartAsync();
        }

        var recovery = Stopwatch.StartNew();
        using var probe = fixture.Client();
        probe.Timeout = TimeSpan.FromSeconds(5);
        HttpStatusCode? status = null;
        while (status != HttpStatusCode.OK && recovery.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var answer = await probe.GetAsync("/api/models/outage");
                status = answer.StatusCode;
            }
            catch (TaskCanceledException)
            {
                status = null;
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(recovery.Elapsed < TimeSpan.FromSeconds(10), $"recovered after {recovery.Elapsed.TotalSeconds:0.0} s");
        var model = await admin.GetFromJsonAsync<JsonElement>("/api/models/outage");
        var aliases = model.GetProperty("card").GetProperty("aliases");
        Assert.Equal(moved ? second : first, aliases.GetProperty("champion").GetInt32());
        Assert.Equal(second, aliases.GetProperty("challenger").GetInt32());
        Assert.Contains(model.GetProperty("versions").EnumerateArray(), v => v.GetProperty("version").GetInt32() == second);
        (await admin.PostAsJsonAsync("/api/models/outage/predict", row)).EnsureSuccessStatusCode();
    }

    private static Task<HttpResponseMessage> Upload(HttpClient client)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(TestPaths.SampleModel("iris")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PostAsync("/api/models/outage/versions", content);
    }
}

[CollectionDefinition(Name)]
public sealed class StorageOutageCollection : ICollectionFixture<RunnerFixture>
{
    public const string Name = "storage-outage";
}

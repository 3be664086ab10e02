using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Core.Http;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Upload → alias → predict → V2 infer through the local runner over HTTP, with a real ONNX model.</summary>
[Collection(RunnerCollection.Name)]
public sealed class PredictEndToEndTests(RunnerFixture fixture)
{
    // First two rows of samples/data/breast_cancer.csv: both malignant (label 0).
    private static readonly double[] MalignantRow = [17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189];

    // A benign row (label 1) from the same file.
    private static readonly double[] BenignRow = [13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766, 0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023, 15.11, 19.26, 99.7, 711.2, 0.144, 0.1773, 0.239, 0.1288, 0.2977, 0.07259];

    [Fact]
    public async Task Upload_alias_predict_and_infer_agree()
    {
        var features = CardFeatures("breast-cancer");
        var version = await fixture.RegisterAsync("e2e-cancer", "breast-cancer", new { task = "binary-classification", featureNames = features });
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync($"/api/models/e2e-cancer/aliases/champion", new { version })).EnsureSuccessStatusCode();

        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var named = features.Select((f, i) => (f, BenignRow[i])).ToDictionary(p => p.f, p => p.Item2);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/e2e-cancer/predict") { Content = JsonContent.Create(new { instances = new object[] { MalignantRow, named } }) };
        request.Headers.Add(StratusHeaders.RequestId, "caller-id-123");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("caller-id-123", response.Headers.GetValues(StratusHeaders.RequestId).Single());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("e2e-cancer", body.GetProperty("model").GetString());
        Assert.Equal(version, body.GetProperty("version").GetInt32());
        Assert.Equal("caller-id-123", body.GetProperty("requestId").GetString());
        var predictions = body.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(2, predictions.Length);
        Assert.False(predictions[0].GetProperty("PredictedLabel.output").GetBoolean());
        Assert.True(predictions[1].GetProperty("PredictedLabel.output").GetBoolean());
        var p0 = predictions[0].GetProperty("Probability.output").GetSingle();
        var p1 = predictions[1].GetProperty("Probability.output").GetSingle();
        Assert.InRange(p0, 0f, 0.5f);
        Assert.InRange(p1, 0.5f, 1f);

        // The same rows through the Open Inference Protocol give the same probabilities.
        var infer = await client.PostAsJsonAsync("/v2/models/e2e-cancer/infer", new
        {
            id = "v2-call",
            inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 2, 30 }, data = new[] { MalignantRow, BenignRow } } },
            outputs = new[] { new { name = "Probability.output" } },
        });
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        var v2 = await infer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("e2e-cancer", v2.GetProperty("model_name").GetString());
        Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), v2.GetProperty("model_version").GetString());
        Assert.Equal("v2-call", v2.GetProperty("id").GetString());
        var output = Assert.Single(v2.GetProperty("outputs").EnumerateArray());
        Assert.Equal("Probability.output", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 1L], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(p0, data[0], 6);
        Assert.Equal(p1, data[1], 6);
    }

    [Fact]
    public async Task Artifact_download_returns_the_uploaded_bytes()
    {
        var version = await fixture.RegisterAsync("e2e-artifact", "iris");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var bytes = await client.GetByteArrayAsync($"/api/models/e2e-artifact/versions/{version}/artifact");
        Assert.Equal(await File.ReadAllBytesAsync(TestPaths.SampleModel("iris")), bytes);

        var meta = await client.GetFromJsonAsync<JsonElement>($"/api/models/e2e-artifact/versions/{version}");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), meta.GetProperty("sha256").GetString());
        Assert.Equal("upload", meta.GetProperty("lineage").GetProperty("source").GetString());
        var input = Assert.Single(meta.GetProperty("signature").GetProperty("inputs").EnumerateArray());
        Assert.Equal("Features", input.GetProperty("name").GetString());
        Assert.Equal("float", input.GetProperty("elementType").GetString());
        Assert.Equal([-1L, 4L], input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Explicit_version_and_alias_are_served_and_missing_alias_is_404()
    {
        var v1 = await fixture.RegisterAsync("e2e-versions", "iris");
        var v2 = await fixture.RegisterAsync("e2e-versions", "iris");
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/e2e-versions/aliases/challenger", new { version = v2 })).EnsureSuccessStatusCode();
        var instances = new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } };

        var noChampion = await admin.PostAsJsonAsync("/api/models/e2e-versions/predict", instances);
        Assert.Equal(HttpStatusCode.NotFound, noChampion.StatusCode);
        Assert.Contains("champion", await noChampion.Content.ReadAsStringAsync());

        var byVersion = await admin.PostAsJsonAsync($"/api/models/e2e-versions/predict?version={v1}", instances);
        Assert.Equal(v1, (await byVersion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        var byAlias = await admin.PostAsJsonAsync("/api/models/e2e-versions/predict?alias=challenger", instances);
        Assert.Equal(v2, (await byAlias.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/models/e2e-versions/aliases/challenger")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/models/e2e-versions/predict?alias=challenger", instances)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/models/e2e-versions/aliases/challenger")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/models/e2e-versions/predict?version=99", instances)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_uploads_get_distinct_versions_and_none_is_lost()
    {
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/e2e-concurrent", new { description = "race" })).EnsureSuccessStatusCode();
        var bytes = await File.ReadAllBytesAsync(TestPaths.SampleModel("iris"));
        const int uploads = 12;
        var responses = await Task.WhenAll(Enumerable.Range(0, uploads).Select(async _ =>
        {
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var response = await admin.PostAsync("/api/models/e2e-concurrent/versions", content);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
        }));

        Assert.Equal(Enumerable.Range(1, uploads), responses.Order());
        var model = await admin.GetFromJsonAsync<JsonElement>("/api/models/e2e-concurrent");
        Assert.Equal(Enumerable.Range(1, uploads), model.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Order());
        Assert.Equal(uploads, model.GetProperty("card").GetProperty("latestVersion").GetInt32());
    }

    [Fact]
    public async Task Concurrent_alias_changes_are_all_kept()
    {
        var version = await fixture.RegisterAsync("e2e-aliases", "iris");
        using var admin = fixture.Client();
        var aliases = Enumerable.Range(0, 10).Select(i => $"alias-{i}").ToArray();
        var results = await Task.WhenAll(aliases.Select(a => admin.PutAsJsonAsync($"/api/models/e2e-aliases/aliases/{a}", new { version })));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var model = await admin.GetFromJsonAsync<JsonElement>("/api/models/e2e-aliases");
        var stored = model.GetProperty("card").GetProperty("aliases").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(aliases.Order(), stored.Order());
    }

    [Fact]
    public async Task Card_create_update_and_conditional_update()
    {
        using var admin = fixture.Client();
        var created = await admin.PutAsJsonAsync("/api/models/e2e-card", new { description = "first", task = "regression", businessMetric = "revenue" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/models/e2e-card", created.Headers.Location?.OriginalString);
        var etag = created.Headers.ETag!.Tag;

        // PUT replaces the card's descriptive fields (omitted ones reset); versions and aliases are kept.
        var updated = await admin.PutAsJsonAsync("/api/models/e2e-card", new { description = "second", task = "regression" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var card = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second", card.GetProperty("description").GetString());
        Assert.Equal("regression", card.GetProperty("task").GetString());
        Assert.False(card.TryGetProperty("businessMetric", out _));

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/models/e2e-card") { Content = JsonContent.Create(new { description = "third" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        var conflict = await admin.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);

        using var missing = new HttpRequestMessage(HttpMethod.Put, "/api/models/e2e-card-missing") { Content = JsonContent.Create(new { description = "x" }) };
        missing.Headers.TryAddWithoutValidation("If-Match", "*");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(missing)).StatusCode);

        var list = await admin.GetFromJsonAsync<JsonElement>("/api/models");
        Assert.Contains(list.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "e2e-card");
    }

    [Fact]
    public async Task Health_and_v2_server_endpoints_need_no_key()
    {
        using var anonymous = fixture.Client(key: null);
        var health = await anonymous.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Readiness_answers_503_with_what_start_up_is_doing_and_retry_after_until_it_is_done_while_liveness_stays_200()
    {
        using var anonymous = fixture.Client(key: null);
        var readiness = fixture.Runner.Services.GetRequiredService<Stratus.Core.Diagnostics.StartupReadiness>();
        readiness.Wait("training the demo models");
        try
        {
            var waiting = await anonymous.GetAsync("/v2/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
            Assert.NotNull(waiting.Headers.RetryAfter);
            Assert.Equal("training the demo models", (await waiting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("waitingFor").GetString());
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/live")).StatusCode);
        }
        finally
        {
            readiness.Ready();
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Warmup_loads_the_session_of_an_in_process_champion_with_feature_names()
    {
        var version = await fixture.RegisterAsync("e2e-warm", "iris", new { featureNames = CardFeatures("iris") });
        using (var admin = fixture.Client())
        {
            (await admin.PutAsJsonAsync("/api/models/e2e-warm/aliases/champion", new { version })).EnsureSuccessStatusCode();
        }

        var services = fixture.Runner.Services;
        var sessions = services.GetRequiredService<Stratus.Serving.Onnx.ModelSessionCache>();
        Assert.False(sessions.IsLoaded("e2e-warm", version));

        var warmup = ActivatorUtilities.CreateInstance<Stratus.Serving.Routing.ChampionWarmup>(services); // the runner has started: it warms at once
        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!;

        Assert.True(sessions.IsLoaded("e2e-warm", version));
    }

    [Fact]
    public async Task V2_without_a_version_serves_the_champion_and_is_not_found_until_there_is_one()
    {
        var version = await fixture.RegisterAsync("e2e-v2meta", "iris");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var unserved = await client.GetAsync("/v2/models/e2e-v2meta");
        Assert.Equal(HttpStatusCode.NotFound, unserved.StatusCode);
        Assert.Contains("aliases/champion", (await unserved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using (var admin = fixture.Client())
        {
            (await admin.PutAsJsonAsync("/api/models/e2e-v2meta/aliases/champion", new { version })).EnsureSuccessStatusCode();
        }

        var meta = await client.GetFromJsonAsync<JsonElement>("/v2/models/e2e-v2meta");
        Assert.Equal("e2e-v2meta", meta.GetProperty("name").GetString());
        Assert.Equal("onnxruntime_onnx", meta.GetProperty("platform").GetString());
        Assert.Equal([version.ToString(System.Globalization.CultureInfo.InvariantCulture)], meta.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var input = Assert.Single(meta.GetProperty("inputs").EnumerateArray());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 4L], input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Contains(meta.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "Score.output");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/models/e2e-v2meta/versions/{version}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v2/models/e2e-v2meta/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/models/e2e-v2meta/versions/{version}/ready")).StatusCode);
        var missing = await client.GetAsync("/v2/models/e2e-v2meta/versions/42/ready");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
    }

    [Fact]
    public async Task V2_infer_accepts_flat_data_and_rejects_a_datatype_other_than_the_models_input()
    {
        var version = await fixture.RegisterAsync("e2e-v2flat", "iris");
        using (var admin = fixture.Client())
        {
            (await admin.PutAsJsonAsync("/api/models/e2e-v2flat/aliases/champion", new { version })).EnsureSuccessStatusCode();
        }

        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var flat = await client.PostAsJsonAsync("/v2/models/e2e-v2flat/infer", new
        {
            inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 2, 4 }, data = new[] { 5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3 } } },
        });
        Assert.Equal(HttpStatusCode.OK, flat.StatusCode);
        var outputs = (await flat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([0f, 2f], outputs["PredictedLabel.output"].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()));

        var wrongType = await client.PostAsJsonAsync("/v2/models/e2e-v2flat/infer", new
        {
            inputs = new[] { new { name = "Features", datatype = "FP64", shape = new[] { 1, 4 }, data = new[] { 5.1, 3.5, 1.4, 0.2 } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("FP32", (await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    internal static string[] CardFeatures(string sample) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Root, "samples", "models", sample, "card.json")))
            .RootElement.GetProperty("featureNames").EnumerateArray().Select(e => e.GetString()!).ToArray();
}

[CollectionDefinition(Name)]
public sealed class RunnerCollection : ICollectionFixture<RunnerFixture>
{
    public const string Name = "runner";
}

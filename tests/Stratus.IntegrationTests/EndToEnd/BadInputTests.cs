using System.Net.Http.Headers;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Bad input gets a clear problem+json with a fitting status, and nothing is stored.</summary>
[Collection(RunnerCollection.Name)]
public sealed class BadInputTests(RunnerFixture fixture)
{
    private const string Model = "bad-input-iris";

    private async Task EnsureModelAsync()
    {
        using var admin = fixture.Client();
        var existing = await admin.GetAsync($"/api/models/{Model}");
        if (existing.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        var version = await fixture.RegisterAsync(Model, "iris", new { featureNames = EndToEnd.PredictEndToEndTests.CardFeatures("iris") });
        (await admin.PutAsJsonAsync($"/api/models/{Model}/aliases/champion", new { version })).EnsureSuccessStatusCode();
    }

    public static TheoryData<string, string> BadInstances => new()
    {
        { """{"instances":[[1,2,3,4],[1,2,3]]}""", "instances[1] has 3 values; the model takes 4" },
        { """{"instances":[{"sepal_length_cm":1,"sepal_width_cm":2,"petal_length_cm":3,"petal_width_cm":4,"colour":1}]}""", "instances[0] has unknown feature 'colour'" },
        { """{"instances":[{"sepal_length_cm":1,"sepal_width_cm":2,"petal_length_cm":3}]}""", "instances[0] is missing feature 'petal_width_cm'" },
        { """{"instances":[[1,2,3,4],[1,"x",3,4]]}""", "instances[1][1] ('sepal_width_cm') must be a float number" },
        { """{"instances":[{"sepal_length_cm":1,"sepal_width_cm":null,"petal_length_cm":3,"petal_width_cm":4}]}""", "instances[0].sepal_width_cm must be a float number" },
        { """{"instances":[]}""", "'instances' is empty" },
        { """{"rows":[[1,2,3,4]]}""", "'instances' array" },
        { """{"instances":[[1,2,3,4]""", "not valid JSON" },
        { """{"instances":[7]}""", "instances[0] must be an array of numbers or an object" },
    };

    [Theory]
    [MemberData(nameof(BadInstances))]
    public async Task Predict_rejects_bad_instances_naming_the_offender(string body, string expected)
    {
        await EnsureModelAsync();
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var response = await client.PostAsync($"/api/models/{Model}/predict", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await AssertProblem(response, HttpStatusCode.BadRequest, expected);
    }

    [Fact]
    public async Task Predict_rejects_more_instances_than_the_limit()
    {
        await EnsureModelAsync();
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var rows = Enumerable.Repeat(new[] { 1.0, 2, 3, 4 }, 101).ToArray();
        var response = await client.PostAsJsonAsync($"/api/models/{Model}/predict", new { instances = rows });
        await AssertProblem(response, HttpStatusCode.BadRequest, "at most 100");
    }

    [Fact]
    public async Task Unknown_model_is_404_and_invalid_name_is_400()
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await AssertProblem(await client.PostAsJsonAsync("/api/models/no-such-model/predict", new { instances = new[] { new[] { 1 } } }), HttpStatusCode.NotFound, "no-such-model");
        await AssertProblem(await client.PostAsJsonAsync("/api/models/Bad_Name/predict", new { instances = new[] { new[] { 1 } } }), HttpStatusCode.BadRequest, "must match");
        await AssertProblem(await client.GetAsync("/api/models/..%2F..%2Fetc"), HttpStatusCode.BadRequest, "must match");
        await AssertProblem(await fixture.Client().PutAsJsonAsync($"/api/models/{Model}/aliases/-bad-", new { version = 1 }), HttpStatusCode.BadRequest, "alias name");
    }

    [Fact]
    public async Task Gpu_tier_models_answer_503_until_the_tier_exists()
    {
        await fixture.RegisterAsync("bad-input-gpu", "iris", new { tier = "gpu" });
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/bad-input-gpu/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        var response = await admin.PostAsJsonAsync("/api/models/bad-input-gpu/predict", new { instances = new[] { new[] { 1, 2, 3, 4 } } });
        await AssertProblem(response, HttpStatusCode.ServiceUnavailable, "GPU tier");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Gpu_models_with_cpu_fallback_are_served_in_process_when_no_tier_is_configured()
    {
        await fixture.RegisterAsync("bad-input-gpu-fallback", "iris", new { tier = "gpu", cpuFallback = true });
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/bad-input-gpu-fallback/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/models/bad-input-gpu-fallback/predict", new { instances = new[] { new[] { 1, 2, 3, 4 } } })).StatusCode);
        var infer = await admin.PostAsJsonAsync("/v2/models/bad-input-gpu-fallback/infer", new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 4 }, data = new[] { 1.0, 2, 3, 4 } } } });
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);

        // Without fallback the V2 route answers the protocol's error shape with 503 and Retry-After.
        await fixture.RegisterAsync("bad-input-gpu-strict", "iris", new { tier = "gpu" });
        (await admin.PutAsJsonAsync("/api/models/bad-input-gpu-strict/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        var strict = await admin.PostAsJsonAsync("/v2/models/bad-input-gpu-strict/infer", new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 4 }, data = new[] { 1.0, 2, 3, 4 } } } });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, strict.StatusCode);
        Assert.NotNull(strict.Headers.RetryAfter);
        Assert.True((await strict.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
    }

    [Fact]
    public async Task Keys_are_required_and_admin_routes_refuse_the_function_key()
    {
        await EnsureModelAsync();
        var body = new { instances = new[] { new[] { 1, 2, 3, 4 } } };
        await AssertProblem(await fixture.Client(key: null).PostAsJsonAsync($"/api/models/{Model}/predict", body), HttpStatusCode.Unauthorized, "x-functions-key");
        await AssertProblem(await fixture.Client("wrong").PostAsJsonAsync($"/api/models/{Model}/predict", body), HttpStatusCode.Unauthorized, "not valid");
        await AssertProblem(await fixture.Client(RunnerFixture.FunctionKey).PutAsJsonAsync($"/api/models/{Model}", new { description = "x" }), HttpStatusCode.Unauthorized, "admin key");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client(RunnerFixture.AdminKey).PostAsJsonAsync($"/api/models/{Model}/predict", body)).StatusCode);

        using var viaQuery = fixture.Client(key: null);
        Assert.Equal(HttpStatusCode.OK, (await viaQuery.PostAsJsonAsync($"/api/models/{Model}/predict?code={RunnerFixture.FunctionKey}", body)).StatusCode);
        var v2 = await fixture.Client(key: null).GetAsync($"/v2/models/{Model}");
        Assert.Equal(HttpStatusCode.Unauthorized, v2.StatusCode);
    }

    [Fact]
    public async Task Uploads_that_are_not_onnx_truncated_too_large_or_cardless_store_nothing()
    {
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/bad-upload", new { description = "uploads" })).EnsureSuccessStatusCode();
        var model = await File.ReadAllBytesAsync(TestPaths.SampleModel("iris"));

        await AssertProblem(await Upload(admin, "bad-upload", "this is not a model"u8.ToArray()), HttpStatusCode.BadRequest, "ONNX");
        await AssertProblem(await Upload(admin, "bad-upload", model[..(model.Length / 2)]), HttpStatusCode.BadRequest, "ONNX");
        await AssertProblem(await Upload(admin, "bad-upload", []), HttpStatusCode.BadRequest, "empty");
        await AssertProblem(await Upload(admin, "bad-upload", new byte[1_000_001]), HttpStatusCode.RequestEntityTooLarge, "limit");
        await AssertProblem(await Upload(admin, "no-card-here", model), HttpStatusCode.NotFound, "PUT /api/models/no-card-here");
        using var text = new StringContent("model", System.Text.Encoding.UTF8, "text/plain");
        await AssertProblem(await admin.PostAsync("/api/models/bad-upload/versions", text), HttpStatusCode.UnsupportedMediaType, "application/octet-stream");

        // Large models are staged in the uploads container and registered by name: same checks, same limits.
        var uploads = fixture.Storage.Clients.Blobs.GetBlobContainerClient(Stratus.Core.Configuration.StorageNames.UploadsContainer);
        await uploads.GetBlobClient("bad/half.onnx").UploadAsync(new BinaryData(model[..(model.Length / 2)]), overwrite: true);
        await uploads.GetBlobClient("bad/huge.onnx").UploadAsync(new BinaryData(new byte[1_000_001]), overwrite: true);
        await AssertProblem(await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { }), HttpStatusCode.BadRequest, "'blob'");
        await AssertProblem(await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { blob = "../models/iris/1/model.onnx" }), HttpStatusCode.BadRequest, "'blob'");
        await AssertProblem(await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { blob = "bad/missing.onnx" }), HttpStatusCode.NotFound, "upload it there first");
        await AssertProblem(await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { blob = "bad/half.onnx" }), HttpStatusCode.BadRequest, "ONNX");
        await AssertProblem(await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { blob = "bad/huge.onnx" }), HttpStatusCode.RequestEntityTooLarge, "limit");

        var card = await admin.GetFromJsonAsync<JsonElement>("/api/models/bad-upload");
        Assert.Empty(card.GetProperty("versions").EnumerateArray());
        Assert.Equal(0, card.GetProperty("card").GetProperty("latestVersion").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await Upload(admin, "bad-upload", model)).StatusCode);

        await uploads.GetBlobClient("good/iris.onnx").UploadAsync(new BinaryData(model), overwrite: true);
        var staged = await admin.PostAsJsonAsync("/api/models/bad-upload/versions", new { blob = "good/iris.onnx" });
        Assert.Equal(HttpStatusCode.Created, staged.StatusCode);
        var registered = await staged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, registered.GetProperty("version").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model)), registered.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Bad_card_and_alias_bodies_are_400()
    {
        using var admin = fixture.Client();
        await AssertProblem(await admin.PutAsync("/api/models/bad-card", new StringContent("""{"task":"astrology"}""", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "task");
        await AssertProblem(await admin.PutAsJsonAsync("/api/models/bad-card", new { featureNames = new[] { "a", "a" } }), HttpStatusCode.BadRequest, "repeats");
        await AssertProblem(await admin.PutAsJsonAsync("/api/models/bad-card", new { name = "other" }), HttpStatusCode.BadRequest, "path names");
        await EnsureModelAsync();
        await AssertProblem(await admin.PutAsJsonAsync($"/api/models/{Model}/aliases/champion", new { version = 0 }), HttpStatusCode.BadRequest, "version");
        await AssertProblem(await admin.PutAsJsonAsync($"/api/models/{Model}/aliases/champion", new { version = 77 }), HttpStatusCode.NotFound, "no version 77");
    }

    [Fact]
    public async Task V2_errors_use_the_protocol_error_shape()
    {
        await EnsureModelAsync();
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var missingInput = await client.PostAsJsonAsync($"/v2/models/{Model}/infer", new { inputs = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, missingInput.StatusCode);
        Assert.Contains("Features", (await missingInput.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        var badShape = await client.PostAsJsonAsync($"/v2/models/{Model}/infer", new
        {
            inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 3 }, data = new[] { 1.0, 2, 3 } } },
        });
        Assert.Contains("shape", (await badShape.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        var unknown = await client.PostAsJsonAsync("/v2/models/nope/infer", new { inputs = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
    }

    private static async Task<HttpResponseMessage> Upload(HttpClient client, string model, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync($"/api/models/{model}/versions", content);
    }

    internal static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
        Assert.True(response.Headers.Contains("x-request-id"));
    }
}

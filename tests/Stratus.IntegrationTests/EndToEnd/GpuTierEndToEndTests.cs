using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Stratus.LocalRunner.Demo;
using Stratus.Serving.Onnx;
using Stratus.Registry;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>The routing function and the GPU tier as separate processes, as in Azure: function route → tier → same contract.</summary>
[Collection(GpuTierCollection.Name)]
public sealed class GpuTierEndToEndTests(GpuTierRunnerFixture fixture)
{
    [Fact]
    public async Task A_gpu_model_is_served_by_the_tier_through_the_function_routes_with_the_same_answers_as_in_process()
    {
        await fixture.RegisterAsync("tier-iris", "iris", new { tier = "gpu", featureNames = PredictEndToEndTests.CardFeatures("iris") });
        await fixture.RegisterAsync("local-iris", "iris", new { tier = "cpu", featureNames = PredictEndToEndTests.CardFeatures("iris") });
        using var admin = fixture.Client();
        foreach (var model in new[] { "tier-iris", "local-iris" })
        {
            (await admin.PutAsJsonAsync($"/api/models/{model}/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        }

        var rows = new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 }, new[] { 6.7, 3.0, 5.2, 2.3 }, new[] { 5.9, 3.0, 4.2, 1.5 } } };
        var viaTier = await admin.PostAsJsonAsync("/api/models/tier-iris/predict", rows);
        var inProcess = await admin.PostAsJsonAsync("/api/models/local-iris/predict", rows);
        Assert.Equal(HttpStatusCode.OK, viaTier.StatusCode);
        var tierPredictions = (await viaTier.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").GetRawText();
        var localPredictions = (await inProcess.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").GetRawText();
        Assert.Equal(localPredictions, tierPredictions);

        var tensor = new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 2, 4 }, data = new[] { 5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3 } } } };
        var infer = await admin.PostAsJsonAsync("/v2/models/tier-iris/infer", tensor);
        var local = await admin.PostAsJsonAsync("/v2/models/local-iris/infer", tensor);
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        Assert.Equal(
            (await local.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").GetRawText(),
            (await infer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").GetRawText());

        // The binary tensor extension: same answers, in process and through the tier.
        var expectedOutputs = (await (await admin.PostAsJsonAsync("/v2/models/local-iris/infer", tensor)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").GetRawText();
        foreach (var model in new[] { "tier-iris", "local-iris" })
        {
            float[] floats = [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f];
            var header = System.Text.Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"Features\",\"datatype\":\"FP32\",\"shape\":[2,4],\"parameters\":{\"binary_data_size\":32}}]}");
            using var content = new ByteArrayContent([.. header, .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan())]);
            content.Headers.ContentType = new("application/octet-stream");
            using var message = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = content };
            message.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var binary = await admin.SendAsync(message);
            Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
            Assert.Equal(expectedOutputs, (await binary.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").GetRawText());
        }

        // Binary outputs too: the JSON part names sizes, the scores follow as raw floats, in process and via the tier.
        var jsonScores = JsonDocument.Parse(expectedOutputs).RootElement.EnumerateArray().Single(o => o.GetProperty("name").GetString() == "Score.output")
            .GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        foreach (var model in new[] { "tier-iris", "local-iris" })
        {
            var ask = await admin.PostAsJsonAsync($"/v2/models/{model}/infer", new
            {
                inputs = tensor.inputs,
                outputs = new[] { new { name = "Score.output", parameters = new { binary_data = true } } },
            });
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            Assert.Equal("application/octet-stream", ask.Content.Headers.ContentType?.MediaType);
            var jsonLength = int.Parse(ask.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
            var body = await ask.Content.ReadAsByteArrayAsync();
            var output = JsonDocument.Parse(body.AsMemory(0, jsonLength)).RootElement.GetProperty("outputs")[0];
            Assert.Equal(body.Length - jsonLength, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
            Assert.Equal(jsonScores, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(body.AsSpan(jsonLength)).ToArray());
        }

        // The tier (not the function) loaded it, on its CPU provider here; the function reports the tier's readiness.
        using var tier = fixture.TierClient();
        var metadata = (await tier.GetFromJsonAsync<JsonElement>("/v2/models/tier-iris")).GetProperty("parameters");
        Assert.True(metadata.GetProperty("ready").GetBoolean());
        Assert.Equal("cpu", metadata.GetProperty("execution_provider").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v2/models/tier-iris/ready")).StatusCode);

        // The tier's own validation reaches the caller as the same 400.
        var bad = await admin.PostAsJsonAsync("/v2/models/tier-iris/infer", new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 3 }, data = new[] { 1.0, 2, 3 } } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("shape", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Six_concurrent_resnet18_callers_through_the_function_are_answered_from_one_merged_tier_batch_each_with_its_own_embeddings()
    {
        var models = fixture.Runner.Services.GetRequiredService<ModelManagementService>();
        var version = await ResNetDemo.RegisterAsync(models, CancellationToken.None);
        Assert.Equal(-1, version.Signature.Inputs[0].Shape[0]);

        // Reference: the same batchable model in this process.
        using var reference = new InferenceSession(OnnxBatchDimension.MakeSymbolic(await File.ReadAllBytesAsync(ResNetDemo.ModelPath)));
        const int pixels = 3 * 224 * 224;
        var images = Enumerable.Range(0, 6).Select(seed =>
        {
            var random = new Random(seed);
            return Enumerable.Range(0, pixels).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }).ToArray();

        // The tier runs this model's batch once it holds GpuTierRunnerFixture.ResNetBatchRows rows, or after a queue
        // delay no test waits out: a request is answered only as part of a full batch.
        using var tier = fixture.TierClient();
        var metadata = (await tier.GetFromJsonAsync<JsonElement>($"/v2/models/{ResNetDemo.Name}")).GetProperty("parameters");
        Assert.True(metadata.GetProperty("dynamic_batching").GetBoolean());
        Assert.False(metadata.GetProperty("batch_dimension_fixed").GetBoolean());
        Assert.Equal(GpuTierRunnerFixture.ResNetBatchRows, metadata.GetProperty("max_batch_size").GetInt32());
        Assert.Equal(GpuTierRunnerFixture.ResNetQueueDelayMicroseconds, metadata.GetProperty("max_queue_delay_us").GetInt32());

        // One request of a whole batch loads and warms the model on the tier, and is answered at once.
        using var admin = fixture.Client();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90)); // within the client's own 100 s
        var warm = await InferAsync(admin, images, Enumerable.Range(0, GpuTierRunnerFixture.ResNetBatchRows).Select(i => i % images.Length).ToArray(), deadline.Token);
        Assert.Equal(GpuTierRunnerFixture.ResNetBatchRows, warm.GetProperty("shape")[0].GetInt32());

        // Six callers at once, one or two images each, through the function's V2 route: nine rows, one batch between them.
        var requests = new[] { new[] { 0 }, new[] { 1, 2 }, new[] { 3 }, new[] { 4, 5 }, new[] { 2 }, new[] { 5, 0 } };
        Assert.Equal(GpuTierRunnerFixture.ResNetBatchRows, requests.Sum(r => r.Length));
        var answers = await Task.WhenAll(requests.Select(async picks => (picks, output: await InferAsync(admin, images, picks, deadline.Token))));

        foreach (var (picks, output) in answers)
        {
            Assert.Equal([picks.Length, 512, 1, 1], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
            var values = output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (var row = 0; row < picks.Length; row++)
            {
                var expected = Embed(reference, images[picks[row]]);
                for (var k = 0; k < 512; k++)
                {
                    Assert.Equal(expected[k], values[row * 512 + k], 1e-3);
                }
            }
        }
    }

    /// <summary>The first output of a V2 infer call with <paramref name="picks"/> as the batch, through the function's route.</summary>
    private static async Task<JsonElement> InferAsync(HttpClient admin, float[][] images, int[] picks, CancellationToken cancellationToken)
    {
        var body = new { inputs = new[] { new { name = "Input247", datatype = "FP32", shape = new[] { picks.Length, 3, 224, 224 }, data = picks.SelectMany(i => images[i]).ToArray() } } };
        var response = await admin.PostAsJsonAsync($"/v2/models/{ResNetDemo.Name}/infer", body, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("outputs")[0];
    }

    private static float[] Embed(InferenceSession session, float[] image)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 3, 224, 224]);
        using var results = session.Run(new RunOptions(), ["Input247"], [input], session.OutputNames);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}

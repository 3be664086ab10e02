using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Datasets → TrainModel orchestration → registered, promoted, servable version, through the runner.</summary>
[Collection(RunnerCollection.Name)]
public sealed class TrainingEndToEndTests(RunnerFixture fixture)
{
    internal static async Task<JsonElement> WaitForCompletionAsync(HttpClient client, HttpResponseMessage accepted, TimeSpan? timeout = null)
    {
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var payload = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var uri in new[] { "id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri" })
        {
            Assert.False(string.IsNullOrEmpty(payload.GetProperty(uri).GetString()), uri);
        }

        Assert.Equal(payload.GetProperty("statusQueryGetUri").GetString(), accepted.Headers.Location?.ToString());

        // The check-status API is polled, as callers of the Durable Functions HTTP API do: 202 until the run ends.
        var (status, body) = await Poll.UntilAsync(
            async ct =>
            {
                using var response = await client.GetAsync(payload.GetProperty("statusQueryGetUri").GetString(), ct);
                return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
            },
            answer => answer.StatusCode != HttpStatusCode.Accepted,
            timeout ?? TimeSpan.FromSeconds(120),
            "the orchestration ended");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body}");
        Assert.Equal("Completed", body.GetProperty("runtimeStatus").GetString());
        return body;
    }

    private static async Task UploadBreastCancerAsync(HttpClient admin, string name)
    {
        var upload = await admin.PutAsync($"/api/datasets/{name}", DatasetEndToEndTests.Csv(await File.ReadAllTextAsync(TrainingSpecs.Csv("breast_cancer"))));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Train_registers_promotes_serves_lists_and_reproduces()
    {
        using var admin = fixture.Client();
        await UploadBreastCancerAsync(admin, "tr-cancer");

        var start = await admin.PostAsJsonAsync("/api/models/tr-model/train", new
        {
            dataset = "tr-cancer",
            label = "label",
            task = "binary-classification",
            candidates = new object[]
            {
                new { algorithm = "fasttree", @params = new { numberOfTrees = new[] { 20, 40 } } },
                new { algorithm = "lbfgs" },
            },
            objective = new { metric = "auc", minimum = 0.9 },
        });
        var done = await WaitForCompletionAsync(admin, start);
        var output = done.GetProperty("output");
        Assert.Equal(1, output.GetProperty("version").GetInt32());
        Assert.True(output.GetProperty("promoted").GetBoolean());
        Assert.Equal(3, output.GetProperty("candidates").GetArrayLength());
        Assert.All(output.GetProperty("candidates").EnumerateArray(), c => Assert.InRange(c.GetProperty("metrics").GetProperty("auc").GetDouble(), 0.9, 1));
        var best = output.GetProperty("best");
        Assert.Equal(output.GetProperty("candidates").EnumerateArray().Max(c => c.GetProperty("metrics").GetProperty("auc").GetDouble()), best.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal(JsonValueKind.Null, output.TryGetProperty("champion", out var champion) ? champion.ValueKind : JsonValueKind.Null);
        Assert.Equal("done", done.GetProperty("customStatus").GetProperty("stage").GetString());

        // Lineage, baseline and friendly outputs on the version.
        var version = await admin.GetFromJsonAsync<JsonElement>("/api/models/tr-model/versions/1");
        var lineage = version.GetProperty("lineage");
        Assert.Equal("training", lineage.GetProperty("source").GetString());
        Assert.Equal("tr-cancer", lineage.GetProperty("datasetName").GetString());
        Assert.Equal(64, lineage.GetProperty("datasetSha256").GetString()!.Length);
        Assert.Equal(42, lineage.GetProperty("seed").GetInt32());
        Assert.False(string.IsNullOrEmpty(lineage.GetProperty("codeVersion").GetString()));
        Assert.False(string.IsNullOrEmpty(lineage.GetProperty("mlNetVersion").GetString()));
        Assert.Equal(30, version.GetProperty("baseline").GetArrayLength());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/api/models/tr-model")).GetProperty("card").GetProperty("aliases").GetProperty("champion").GetInt32());

        // Named features in, friendly keys out.
        var features = PredictEndToEndTests.CardFeatures("breast-cancer");
        var row = features.Select((f, i) => (f, new[] { 17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189 }[i])).ToDictionary(p => p.f, p => p.Item2);
        var predict = await fixture.Client(RunnerFixture.FunctionKey).PostAsJsonAsync("/api/models/tr-model/predict", new { instances = new[] { row } });
        var prediction = (await predict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        Assert.Equal(0, prediction.GetProperty("label").GetInt32());
        Assert.InRange(prediction.GetProperty("probability").GetDouble(), 0, 0.5);

        // V2 still speaks raw tensors: one input per feature.
        var meta = await admin.GetFromJsonAsync<JsonElement>("/v2/models/tr-model");
        Assert.Equal(30, meta.GetProperty("inputs").GetArrayLength());

        var runs = await admin.GetFromJsonAsync<JsonElement>("/api/runs?model=tr-model");
        Assert.Contains(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("id").GetString() == done.GetProperty("instanceId").GetString() && r.GetProperty("runtimeStatus").GetString() == "Completed");
        Assert.All(runs.GetProperty("runs").EnumerateArray(), r => Assert.False(r.TryGetProperty("output", out _))); // the list stays light

        // One run, with key only: its output is the leaderboard and the decision the orchestration returned.
        var one = await fixture.Client(RunnerFixture.FunctionKey).GetFromJsonAsync<JsonElement>($"/api/runs/{done.GetProperty("instanceId").GetString()}");
        Assert.Equal("Completed", one.GetProperty("runtimeStatus").GetString());
        Assert.Equal(done.GetProperty("output").GetProperty("candidates").GetArrayLength(), one.GetProperty("output").GetProperty("candidates").GetArrayLength());
        Assert.Equal(done.GetProperty("output").GetProperty("reason").GetString(), one.GetProperty("output").GetProperty("reason").GetString());
        await BadInputTests.AssertProblem(await admin.GetAsync("/api/runs/train-tr-model.nope"), HttpStatusCode.NotFound, "train-tr-model.nope");
        await BadInputTests.AssertProblem(await admin.GetAsync("/api/runs/canary-x"), HttpStatusCode.NotFound, "canary-x"); // not a run: other orchestrations stay private

        // Reproducing is a run too (training may outlast a request): 202, then its output.
        var reproduce = await admin.PostAsync("/api/models/tr-model/versions/1/reproduce", null);
        var reproduced = (await WaitForCompletionAsync(admin, reproduce)).GetProperty("output");
        Assert.True(reproduced.GetProperty("match").GetBoolean(), reproduced.ToString());
        Assert.Equal(version.GetProperty("sha256").GetString(), reproduced.GetProperty("reproducedSha256").GetString());

        // A second run compares with the champion on the same holdout; with promote=never it becomes challenger.
        var again = await admin.PostAsJsonAsync("/api/models/tr-model/train", new { dataset = "tr-cancer", label = "label", candidates = new[] { new { algorithm = "sdca" } }, promote = "never" });
        var second = (await WaitForCompletionAsync(admin, again)).GetProperty("output");
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.False(second.GetProperty("promoted").GetBoolean());
        Assert.Equal(1, second.GetProperty("champion").GetProperty("version").GetInt32());
        Assert.Equal(best.GetProperty("metrics").GetProperty("auc").GetDouble(), second.GetProperty("champion").GetProperty("metrics").GetProperty("auc").GetDouble(), 9);
        var aliases = (await admin.GetFromJsonAsync<JsonElement>("/api/models/tr-model")).GetProperty("card").GetProperty("aliases");
        Assert.Equal((1, 2), (aliases.GetProperty("champion").GetInt32(), aliases.GetProperty("challenger").GetInt32()));
    }

    [Fact]
    public async Task Invalid_specs_are_400_and_start_nothing()
    {
        using var admin = fixture.Client();
        await UploadBreastCancerAsync(admin, "tr-invalid");
        await BadInputTests.AssertProblem(await admin.PostAsJsonAsync("/api/models/tr-bad/train", new { dataset = "tr-invalid", label = "nope", task = "binary-classification" }), HttpStatusCode.BadRequest, "Label 'nope'");
        await BadInputTests.AssertProblem(await admin.PostAsJsonAsync("/api/models/tr-bad/train", new { dataset = "tr-invalid", label = "label", task = "binary-classification", candidates = new[] { new { algorithm = "xgboost" } } }), HttpStatusCode.BadRequest, "xgboost");
        await BadInputTests.AssertProblem(await admin.PostAsJsonAsync("/api/models/tr-bad/train", new { dataset = "no-such-data", label = "label", task = "binary-classification" }), HttpStatusCode.NotFound, "no-such-data");
        await BadInputTests.AssertProblem(await admin.PostAsJsonAsync("/api/models/tr-bad/train", new { dataset = "tr-invalid", label = "label", task = "binary-classification", objective = new { metric = "rmse" } }), HttpStatusCode.BadRequest, "rmse");
        var runs = await admin.GetFromJsonAsync<JsonElement>("/api/runs?model=tr-bad");
        Assert.Empty(runs.GetProperty("runs").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/models/tr-bad")).StatusCode);
        await BadInputTests.AssertProblem(await admin.PostAsync("/api/models/tr-bad/versions/1/reproduce", null), HttpStatusCode.NotFound, "no version 1");
    }
}

using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Monitoring;
using Stratus.LocalRunner;
using Stratus.Monitoring;
using Stratus.Reliability.Recording;
using Stratus.Serving.Observation;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Monitoring on breast_cancer through the runner: references, served rows in windows, drift reports, feedback,
/// alerts that retrain, MonitorAll at 100 models, and two runners recording into one storage account.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class MonitoringEndToEndTests(RunnerFixture fixture)
{
    private static readonly BreastCancer Data = BreastCancer.Load();

    /// <summary>Delivers every queued observation, then writes the prediction log and the windows (no waiting on timers).</summary>
    internal static async Task SettleAsync(LocalRunnerHost runner)
    {
        await runner.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        await runner.Services.GetRequiredService<PredictionLogWriter>().FlushAsync(CancellationToken.None);
        await runner.Services.GetRequiredService<MonitoringFlusher>().FlushAsync(CancellationToken.None);
    }

    /// <summary>An uploaded breast-cancer model, champion, with the whole dataset as its reference.</summary>
    private async Task<JsonElement> RegisterWithReferenceAsync(string model, object? monitoring = null)
    {
        var version = await fixture.RegisterAsync(model, "breast-cancer", new { task = "binary-classification", featureNames = Data.Features, monitoring });
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync($"/api/models/{model}/aliases/champion", new { version })).EnsureSuccessStatusCode();
        var put = await admin.PutAsync($"/api/models/{model}/versions/{version}/reference", DatasetEndToEndTests.Csv(Data.Csv));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        return await put.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Predicts the rows in calls of at most 100 (the fixture's MaxInstances); answers each row's predicted label.</summary>
    private static async Task<List<bool>> PredictAsync(HttpClient client, string model, IReadOnlyList<double[]> rows, string requestPrefix)
    {
        var labels = new List<bool>();
        foreach (var (chunk, i) in rows.Chunk(100).Select((c, i) => (c, i)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/predict") { Content = JsonContent.Create(new { instances = chunk }) };
            request.Headers.Add(StratusHeaders.RequestId, $"{requestPrefix}-{i}");
            var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            // Uploaded ML.NET models answer their raw output; models Stratus trained answer a friendly 0/1 label.
            labels.AddRange(body.GetProperty("predictions").EnumerateArray().Select(p => p.TryGetProperty("label", out var label)
                ? label.GetInt32() == 1
                : p.GetProperty("PredictedLabel.output").GetBoolean()));
        }

        return labels;
    }

    private async Task<JsonElement> ReportAsync(string model, string query = "")
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var response = await client.GetAsync($"/api/models/{model}/monitoring{query}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Drifted(JsonElement report) =>
        report.GetProperty("features").EnumerateArray().Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("feature").GetString()!).Order().ToArray();

    [Fact]
    public async Task A_reference_upload_is_scored_by_the_version_and_answers_rows_features_classes_and_metrics()
    {
        var summary = await RegisterWithReferenceAsync("mon-ref");

        Assert.Equal(569, summary.GetProperty("rows").GetInt32());
        Assert.Equal(Data.Features, summary.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["0", "1"], summary.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        // The model was trained on this data: its realized accuracy here is high, and equals the rows' own count.
        var accuracy = summary.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.9, 1);
        Assert.Equal(0, accuracy * 569 % 1, 6);
        Assert.InRange(summary.GetProperty("metrics").GetProperty("auc").GetDouble(), 0.95, 1);
    }

    [Fact]
    public async Task A_bad_reference_csv_gets_a_400_naming_the_line_and_column()
    {
        await RegisterWithReferenceAsync("mon-badref");
        using var admin = fixture.Client();
        var header = string.Join(',', Data.Features) + ",label";
        var goodRow = string.Join(',', Data.Rows[0].Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        async Task<string> DetailAsync(string csv, string query = "")
        {
            var response = await admin.PutAsync($"/api/models/mon-badref/versions/1/reference{query}", DatasetEndToEndTests.Csv(csv));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        }

        Assert.Contains("Line 3, column 'mean_texture'", await DetailAsync($"{header}\n{goodRow},1\n{goodRow.Replace(",10.38,", ",ten,", StringComparison.Ordinal)},0\n"));
        Assert.Contains("Line 2, column 'label'", await DetailAsync($"{header}\n{goodRow},7\n"));
        Assert.Contains("'shoe_size' is not a feature", await DetailAsync($"shoe_size,{header}\n1,{goodRow},1\n"));
        Assert.Contains("'mean_radius' is missing", await DetailAsync($"{header.Replace("mean_radius,", "", StringComparison.Ordinal)}\n{goodRow[(goodRow.IndexOf(',', StringComparison.Ordinal) + 1)..]},1\n"));
        Assert.Contains("label column 'outcome' is missing", await DetailAsync($"{string.Join(',', Data.Features)}\n{goodRow}\n", "?label=outcome"));
        Assert.Contains("Line 2: 30 fields", await DetailAsync($"{header}\n{goodRow}\n"));
    }

    [Fact]
    public async Task In_distribution_rows_give_no_drift_and_verdict_ok()
    {
        await RegisterWithReferenceAsync("mon-ok");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-ok", Data.Bootstrap(600, seed: 7), "ok");
        await SettleAsync(fixture.Runner);

        var report = await ReportAsync("mon-ok");
        Assert.Equal(600, report.GetProperty("rows").GetInt64());
        Assert.Empty(Drifted(report));
        Assert.Equal("ok", report.GetProperty("verdict").GetString());
        Assert.Equal(30, report.GetProperty("features").GetArrayLength());
        Assert.Contains(report.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("feature").GetString() == "class");
        Assert.Equal("upload", report.GetProperty("reference").GetProperty("source").GetString());
    }

    [Fact]
    public async Task Two_features_shifted_by_one_standard_deviation_drift_and_no_other_feature_does()
    {
        await RegisterWithReferenceAsync("mon-shift");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-shift", Data.Shifted(Data.Bootstrap(600, seed: 11), "mean_texture", "worst_smoothness"), "shift");
        await SettleAsync(fixture.Runner);

        var report = await ReportAsync("mon-shift");
        Assert.Equal(["mean_texture", "worst_smoothness"], Drifted(report));
        Assert.Equal("warning", report.GetProperty("verdict").GetString()); // 2 of 30 is below the 50 % drift share
        Assert.False(report.GetProperty("datasetDrift").GetBoolean());
        var texture = report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("feature").GetString() == "mean_texture");
        Assert.Equal("ks", texture.GetProperty("test").GetString());
        Assert.True(texture.GetProperty("psi").GetDouble() >= 0.2);
        Assert.True(texture.GetProperty("pValue").GetDouble() < 0.01);
        Assert.Contains(report.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("mean_texture: PSI", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rows_served_through_V2_infer_are_recorded_like_predicts()
    {
        await RegisterWithReferenceAsync("mon-v2");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var rows = Data.Bootstrap(20, seed: 9);
        var infer = await client.PostAsJsonAsync("/v2/models/mon-v2/infer", new
        {
            inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 20, 30 }, data = rows.SelectMany(r => r).ToArray() } },
        });
        Assert.Equal(HttpStatusCode.OK, infer.StatusCode);
        await SettleAsync(fixture.Runner);

        var report = await ReportAsync("mon-v2");
        Assert.Equal(20, report.GetProperty("rows").GetInt64());
        Assert.Equal("insufficient-data", report.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task A_replaced_reference_reports_only_rows_counted_over_its_own_bins()
    {
        await RegisterWithReferenceAsync("mon-replace");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-replace", Data.Rows.Take(300).ToArray(), "before");
        await SettleAsync(fixture.Runner);
        Assert.Equal(300, (await ReportAsync("mon-replace")).GetProperty("rows").GetInt64());

        // A new reference (only half the rows, so other quantile bins) in the middle of the same window.
        using var admin = fixture.Client();
        var csv = string.Join('\n', Data.Csv.Split('\n').Take(285));
        Assert.True((await admin.PutAsync("/api/models/mon-replace/versions/1/reference", DatasetEndToEndTests.Csv(csv))).IsSuccessStatusCode);
        Assert.Equal(0, (await ReportAsync("mon-replace")).GetProperty("rows").GetInt64());

        await PredictAsync(client, "mon-replace", Data.Rows.Take(200).ToArray(), "after");
        await SettleAsync(fixture.Runner);
        var report = await ReportAsync("mon-replace");
        Assert.Equal(200, report.GetProperty("rows").GetInt64());
        Assert.Equal(284, report.GetProperty("reference").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Fifty_rows_give_insufficient_data_no_alarm_and_no_performance_estimate()
    {
        await RegisterWithReferenceAsync("mon-small");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-small", Data.Shifted(Data.Bootstrap(50, seed: 3), "mean_texture", "worst_smoothness"), "small");
        await SettleAsync(fixture.Runner);

        var report = await ReportAsync("mon-small");
        Assert.Equal(50, report.GetProperty("rows").GetInt64());
        Assert.Equal("insufficient-data", report.GetProperty("verdict").GetString());
        Assert.Empty(Drifted(report));
        Assert.All(report.GetProperty("features").EnumerateArray(), f => Assert.True(f.GetProperty("insufficientData").GetBoolean()));
        var estimation = report.GetProperty("estimation");
        Assert.False(estimation.GetProperty("available").GetBoolean());
        Assert.Equal("too few rows to estimate: 50 < minRows 500", estimation.GetProperty("reason").GetString());
        Assert.Empty(report.GetProperty("estimated").EnumerateObject());
    }

    [Fact]
    public async Task Feedback_with_true_labels_makes_realized_accuracy_equal_the_hand_computation_and_counts_duplicates_and_unknowns()
    {
        await RegisterWithReferenceAsync("mon-feedback");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var rows = Enumerable.Range(0, 40).Select(i => Data.Rows[i * 13]).ToArray();
        var truth = Enumerable.Range(0, 40).Select(i => Data.Labels[i * 13]).ToArray();
        var predicted = await PredictAsync(client, "mon-feedback", rows, "fb");
        await SettleAsync(fixture.Runner);

        var items = Enumerable.Range(0, 40).Select(i => (object)new { requestId = "fb-0", index = i, label = truth[i] })
            .Append(new { requestId = "fb-0", index = 0, label = truth[0] }) // the same row again
            .Append(new { requestId = "never-served", index = 0, label = 1 })
            .ToArray();
        var first = await (await client.PostAsJsonAsync("/api/models/mon-feedback/feedback", new { items })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((40, 1, 1), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicate").GetInt32(), first.GetProperty("unknown").GetInt32()));
        var unknown = Assert.Single(first.GetProperty("unknownItems").EnumerateArray());
        Assert.Equal((41, "never-served"), (unknown.GetProperty("item").GetInt32(), unknown.GetProperty("requestId").GetString()));

        var again = await (await client.PostAsJsonAsync("/api/models/mon-feedback/feedback", new { items })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 41, 1), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicate").GetInt32(), again.GetProperty("unknown").GetInt32()));

        var hand = Enumerable.Range(0, 40).Count(i => (predicted[i] ? 1 : 0) == truth[i]) / 40.0;
        var realized = (await ReportAsync("mon-feedback")).GetProperty("realized");
        Assert.Equal(40, realized.GetProperty("rows").GetInt32());
        Assert.Equal(hand, realized.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public async Task Feedback_joins_rows_of_requests_whose_ids_stratus_generated()
    {
        await RegisterWithReferenceAsync("mon-fb-generated");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var ids = new List<string>();
        foreach (var row in Data.Rows.Take(3))
        {
            var response = await client.PostAsJsonAsync("/api/models/mon-fb-generated/predict", new { instances = new[] { row } });
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString()!);
        }

        await SettleAsync(fixture.Runner);
        Assert.All(ids, id => Assert.True(Core.Http.LocatableRequestIds.TryLocate(id, out _), id));
        var items = ids.Select((id, i) => new { requestId = id, index = 0, label = Data.Labels[i] }).Append(new { requestId = ids[0], index = 1, label = 0 }).ToArray();
        var result = await (await client.PostAsJsonAsync("/api/models/mon-fb-generated/feedback", new { items })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((3, 0, 1), (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicate").GetInt32(), result.GetProperty("unknown").GetInt32())); // row 1 of a 1-row request was never served
    }

    [Fact]
    public async Task Feedback_on_the_wrong_task_or_outside_the_classes_gets_a_400_naming_the_item_and_records_nothing()
    {
        await RegisterWithReferenceAsync("mon-fb-bad");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-fb-bad", Data.Rows.Take(3).ToArray(), "bad");
        await SettleAsync(fixture.Runner);

        async Task<string> DetailAsync(object body)
        {
            var response = await client.PostAsJsonAsync("/api/models/mon-fb-bad/feedback", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        }

        Assert.Contains("items[1]", await DetailAsync(new { items = new object[] { new { requestId = "bad-0", index = 0, label = 1 }, new { requestId = "bad-0", index = 1, value = 0.4 } } }));
        Assert.Contains("items[2]: label '7'", await DetailAsync(new { items = new object[] { new { requestId = "bad-0", index = 0, label = 1 }, new { requestId = "bad-0", index = 1, label = 0 }, new { requestId = "bad-0", index = 2, label = 7 } } }));

        // Nothing of the rejected bodies was kept: the same rows are still accepted.
        var accepted = await (await client.PostAsJsonAsync("/api/models/mon-fb-bad/feedback", new { items = new[] { new { requestId = "bad-0", index = 0, label = 1 } } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, accepted.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_drift_alert_with_retrain_starts_one_run_on_new_data_and_none_without_it_or_within_the_cooldown()
    {
        using var admin = fixture.Client();
        Assert.True((await admin.PutAsync("/api/datasets/mon-rt-data", DatasetEndToEndTests.Csv(Data.Csv))).IsSuccessStatusCode);
        var spec = new { dataset = "mon-rt-data", label = "label", task = "binary-classification", candidates = new[] { new { algorithm = "lbfgs" } } };
        await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsJsonAsync("/api/models/mon-rt/train", spec));

        // The trained version's reference is its holdout, stored at registration.
        var before = await ReportAsync("mon-rt");
        Assert.Equal("holdout", before.GetProperty("reference").GetProperty("source").GetString());
        Assert.Equal("insufficient-data", before.GetProperty("verdict").GetString());

        (await admin.PutAsJsonAsync("/api/models/mon-rt", new
        {
            task = "binary-classification",
            featureNames = Data.Features,
            retraining = new { spec },
            monitoring = new { driftShare = 0.05, minRows = 200, actions = new[] { "notify", "retrain" }, cooldownHours = 24 },
        })).EnsureSuccessStatusCode();
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        await PredictAsync(client, "mon-rt", Data.Shifted(Data.Bootstrap(400, seed: 5), "mean_texture", "worst_smoothness"), "rt");
        await SettleAsync(fixture.Runner);

        async Task<JsonElement> MonitorAsync()
        {
            var output = (await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/monitor", null))).GetProperty("output");
            return output.GetProperty("evaluations").EnumerateArray().Single(e => e.GetProperty("model").GetString() == "mon-rt").GetProperty("alert");
        }

        var sameData = await MonitorAsync();
        Assert.Equal("drift", sameData.GetProperty("verdict").GetString());
        Assert.False(sameData.TryGetProperty("retrainRunId", out _));
        Assert.Contains("needs new labelled data", sameData.GetProperty("note").GetString());
        Assert.Contains(sameData.GetProperty("signals").EnumerateArray(), s => s.TryGetProperty("feature", out var f) && f.GetString() == "mean_texture");

        // New data: the policy's dataset now resolves to a version the model was not trained on.
        var newer = string.Join('\n', Data.Csv.Split('\n').Take(500)) + "\n";
        Assert.True((await admin.PutAsync("/api/datasets/mon-rt-data", DatasetEndToEndTests.Csv(newer))).IsSuccessStatusCode);
        var started = await MonitorAsync();
        var runId = started.GetProperty("retrainRunId").GetString()!;
        Assert.StartsWith("train-mon-rt.drift-", runId, StringComparison.Ordinal);

        var held = await MonitorAsync();
        Assert.False(held.TryGetProperty("retrainRunId", out _));
        Assert.Contains("cooldown", held.GetProperty("note").GetString());

        var runs = await client.GetFromJsonAsync<JsonElement>("/api/runs?model=mon-rt");
        Assert.Equal([runId], runs.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Where(id => id!.Contains("drift", StringComparison.Ordinal)));
        var alerts = await client.GetFromJsonAsync<JsonElement>("/api/models/mon-rt/alerts");
        Assert.Equal(3, alerts.GetProperty("alerts").GetArrayLength());
        Assert.Contains((await client.GetFromJsonAsync<JsonElement>("/api/alerts")).GetProperty("alerts").EnumerateArray(), a => a.TryGetProperty("retrainRunId", out var id) && id.GetString() == runId);

        // Let the run finish so it does not outlive the test.
        await Poll.UntilAsync(
            async ct => (await admin.GetFromJsonAsync<JsonElement>("/" + Routes.Expand(Routes.DurableInstance, ("instanceId", runId)), ct)).GetProperty("runtimeStatus").GetString(),
            status => status is "Completed" or "Failed",
            TimeSpan.FromSeconds(120),
            "the drift retrain ended");
    }

    [Fact]
    public async Task MonitorAll_evaluates_a_hundred_served_models()
    {
        using var admin = fixture.Client();
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var version = await fixture.RegisterAsync($"mon-many-{i:D3}", "iris");
            (await admin.PutAsJsonAsync($"/api/models/mon-many-{i:D3}/aliases/champion", new { version }, ct)).EnsureSuccessStatusCode();
        });

        var output = (await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/monitor", null), TimeSpan.FromSeconds(300))).GetProperty("output");
        var many = output.GetProperty("evaluations").EnumerateArray().Where(e => e.GetProperty("model").GetString()!.StartsWith("mon-many-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(100, many.Length);
        Assert.All(many, e => Assert.Equal("insufficient-data", e.GetProperty("verdict").GetString())); // no references, no traffic
        Assert.True(output.GetProperty("models").GetInt32() >= 100);
    }

    [Fact]
    public async Task Two_runners_recording_into_one_storage_account_give_merged_counts_equal_to_the_sum()
    {
        await RegisterWithReferenceAsync("mon-two");
        await using var second = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
        {
            Root = TestPaths.Root,
            Url = "http://127.0.0.1:0",
            SeedDemoModels = false,
            Overrides = new Dictionary<string, string?>
            {
                [SettingNames.Storage] = fixture.Storage.ConnectionString,
                [SettingNames.FunctionKey] = RunnerFixture.FunctionKey,
                [SettingNames.AdminKey] = RunnerFixture.AdminKey,
                [OptionPath.Of(o => o.TaskHub).Key] = "secondrunner",
            },
        });
        using var one = fixture.Client(RunnerFixture.FunctionKey);
        using var two = new HttpClient { BaseAddress = second.BaseAddress };
        two.DefaultRequestHeaders.Add(StratusHeaders.FunctionKey, RunnerFixture.FunctionKey);

        await PredictAsync(one, "mon-two", Data.Bootstrap(300, seed: 21), "one");
        await PredictAsync(two, "mon-two", Data.Shifted(Data.Bootstrap(250, seed: 22), "mean_radius"), "two");
        await fixture.Runner.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        await second.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        var expected = fixture.Runner.Services.GetRequiredService<WindowRecorder>().Snapshot().Where(w => w.Key.Model == "mon-two").Select(w => w.Counts)
            .Concat(second.Services.GetRequiredService<WindowRecorder>().Snapshot().Where(w => w.Key.Model == "mon-two").Select(w => w.Counts))
            .Aggregate(WindowCounts.Empty, (sum, w) => sum.Plus(w));
        await SettleAsync(fixture.Runner);
        await SettleAsync(second);

        var merged = await fixture.Runner.Services.GetRequiredService<IMonitoringStore>().ReadMergedAsync("mon-two", 1, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        Assert.Equal(550, merged.Rows);
        Assert.Equal(expected.Rows, merged.Rows);
        Assert.All(expected.Bins, f => Assert.Equal(f.Value, merged.Bins[f.Key]));
        Assert.Equal(550, (await ReportAsync("mon-two")).GetProperty("rows").GetInt64());
    }
}

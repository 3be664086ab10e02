using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Core.Http;
using Microsoft.DurableTask.Client;
using Stratus.Experiments.Assignment;
using Stratus.Functions.Triggers;
using Stratus.Experiments.Traffic;
using Stratus.Experiments.Shadow;
using Stratus.Experiments.Statistics;
using Stratus.Serving.Observation;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Experiments with traffic, through the runner's HTTP API: units routed to their variants on predict and V2 infer,
/// exposures counted once per unit, outcomes from concurrent writers, the readout, and concluding.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class ExperimentTrafficEndToEndTests(RunnerFixture fixture)
{
    private const string Row = """{"instances":[[5.1,3.5,1.4,0.2]]}""";

    /// <summary>A model with two versions (v1 champion) and a running 50/50 experiment; returns the experiment's id.</summary>
    private async Task<string> RunningAsync(string model, string metricKind = "binary", double minimumDetectableEffect = 0.1)
    {
        var card = new { task = "multiclass-classification", businessObjective = "more sign-ups", businessMetric = "signed-up" };
        await fixture.RegisterAsync(model, "iris", card);
        await fixture.RegisterAsync(model, "iris", card);
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync($"/api/models/{model}/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        var variants = new object[] { new { name = "control", alias = "champion", weight = 0.5 }, new { name = "treatment", version = 2, weight = 0.5 } };
        var put = await admin.PutAsJsonAsync($"/api/models/{model}/experiments/launch", new { variants, metric = new { name = "signed-up", kind = metricKind }, minimumDetectableEffect });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static string Expected(string experimentId, string unit) => VariantAssigner.Assign(experimentId, unit, [0.5, 0.5]) == 0 ? "control" : "treatment";

    private static async Task<(string Variant, int Version)> PredictAsync(HttpClient client, string model, string? unit, bool inBody = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/predict")
        {
            Content = new StringContent(inBody ? $$"""{"unit":"{{unit}}","instances":[[5.1,3.5,1.4,0.2]]}""" : Row, System.Text.Encoding.UTF8, "application/json"),
        };
        if (unit is not null && !inBody)
        {
            request.Headers.Add(StratusHeaders.Unit, unit);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var header = Assert.Single(response.Headers.GetValues(StratusHeaders.Variant));
        Assert.Equal(header, body.GetProperty("variant").GetString());
        return (header, body.GetProperty("version").GetInt32());
    }

    /// <summary>Delivers every observation so far, lets the shadows run, and writes the traffic recorded, as the background flush would.</summary>
    private async Task FlushExposuresAsync()
    {
        await fixture.Runner.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        await fixture.Runner.Services.GetRequiredService<ShadowRunner>().DrainAsync(CancellationToken.None);
        await fixture.Runner.Services.GetRequiredService<TrafficRecorder>().FlushAsync(CancellationToken.None);
    }

    private async Task<JsonElement> ReadoutAsync(string model) =>
        await fixture.Client(RunnerFixture.FunctionKey).GetFromJsonAsync<JsonElement>($"/api/models/{model}/experiments/launch");

    private static long Units(JsonElement readout, string variant) =>
        readout.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == variant).GetProperty("units").GetInt64();

    [Fact]
    public async Task A_unit_gets_its_hashed_variant_on_1000_predict_calls_and_on_v2_infer_and_the_response_names_it()
    {
        var id = await RunningAsync("exp-sticky");
        using var client = fixture.Client(RunnerFixture.FunctionKey);

        var served = new HashSet<(string, int)>();
        for (var i = 0; i < 1000; i++)
        {
            served.Add(await PredictAsync(client, "exp-sticky", "user-7"));
        }

        var (variant, version) = Assert.Single(served);
        Assert.Equal(Expected(id, "user-7"), variant);
        Assert.Equal(variant == "control" ? 1 : 2, version);

        // The other variant's unit, found by the same hash, is served by the other version: routing really splits.
        var other = Enumerable.Range(0, 100).Select(i => $"user-{i}").First(u => Expected(id, u) != variant);
        Assert.Equal((Expected(id, other), variant == "control" ? 2 : 1), await PredictAsync(client, "exp-sticky", other, inBody: true));

        using var infer = new HttpRequestMessage(HttpMethod.Post, "/v2/models/exp-sticky/infer")
        {
            Content = new StringContent("""{"inputs":[{"name":"Features","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        infer.Headers.Add(StratusHeaders.Unit, other);
        using var v2 = await client.SendAsync(infer);
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Equal(Expected(id, other), Assert.Single(v2.Headers.GetValues(StratusHeaders.Variant)));
        Assert.Equal((variant == "control" ? 2 : 1).ToString(CultureInfo.InvariantCulture), (await v2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Exposures_count_each_unit_once_and_calls_without_a_unit_are_served_by_control_and_counted_apart()
    {
        var id = await RunningAsync("exp-exposure");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var units = Enumerable.Range(0, 12).Select(i => $"visitor-{i}").ToArray();
        foreach (var unit in units)
        {
            for (var call = 0; call < 3; call++)
            {
                await PredictAsync(client, "exp-exposure", unit, inBody: call == 1);
            }
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(("control", 1), await PredictAsync(client, "exp-exposure", unit: null));
        }

        // A caller naming a version is outside the experiment: no variant, no exposure.
        using var pinned = await client.PostAsync("/api/models/exp-exposure/predict?version=2", new StringContent(Row, System.Text.Encoding.UTF8, "application/json"));
        Assert.False(pinned.Headers.Contains(StratusHeaders.Variant));
        await FlushExposuresAsync();

        var readout = await ReadoutAsync("exp-exposure");
        Assert.Equal(units.Count(u => Expected(id, u) == "control"), Units(readout, "control"));
        Assert.Equal(units.Count(u => Expected(id, u) == "treatment"), Units(readout, "treatment"));
        Assert.Equal(4, readout.GetProperty("traffic").GetProperty("unassignedRequests").GetInt64());
    }

    [Fact]
    public async Task Outcomes_posted_by_16_concurrent_writers_with_overlapping_ids_count_each_event_id_once()
    {
        await RunningAsync("exp-outcomes", metricKind: "continuous");
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var units = Enumerable.Range(0, 20).Select(i => $"buyer-{i}").ToArray();
        foreach (var unit in units)
        {
            await PredictAsync(client, "exp-outcomes", unit);
        }

        await FlushExposuresAsync();

        // Writer w sends events w*25 … w*25+49: each id but the first 25 and last 25 is sent by two writers at once.
        // Event e belongs to buyer-(e mod 25): buyers 20–24 were never exposed, so their events are unattributed.
        static object Event(int e) => new { id = $"order-{e}", unit = $"buyer-{e % 25}", value = 2.5 };
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
        {
            using var writer = fixture.Client(RunnerFixture.FunctionKey);
            var post = await writer.PostAsJsonAsync("/api/models/exp-outcomes/experiments/launch/outcomes", new { events = Enumerable.Range(w * 25, 50).Select(Event).ToArray() });
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            return await post.Content.ReadFromJsonAsync<JsonElement>();
        }));

        var distinct = Enumerable.Range(0, 16).SelectMany(w => Enumerable.Range(w * 25, 50)).Distinct().ToArray();
        Assert.Equal(distinct.Length, answers.Sum(a => a.GetProperty("accepted").GetInt32()));
        Assert.Equal((16 * 50) - distinct.Length, answers.Sum(a => a.GetProperty("duplicates").GetInt32()));

        var readout = await ReadoutAsync("exp-outcomes");
        var traffic = readout.GetProperty("traffic");
        Assert.Equal(distinct.Length, traffic.GetProperty("outcomes").GetInt32());
        Assert.Equal(distinct.Count(e => e % 25 >= 20), traffic.GetProperty("unattributedOutcomes").GetInt32());
        var total = readout.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("mean").GetDouble() * v.GetProperty("units").GetInt64());
        Assert.Equal(distinct.Count(e => e % 25 < 20) * 2.5, total, 9);
    }

    [Fact]
    public async Task An_outcome_whose_value_does_not_fit_the_binary_metric_gets_a_400_naming_the_event_and_stores_nothing()
    {
        await RunningAsync("exp-bad-outcome");
        using var client = fixture.Client(RunnerFixture.FunctionKey);

        var events = new object[] { new { id = "ok-1", unit = "u1", value = 1 }, new { id = "big-2", unit = "u2", value = 3 } };
        await BadInputTests.AssertProblem(await client.PostAsJsonAsync("/api/models/exp-bad-outcome/experiments/launch/outcomes", new { events }), HttpStatusCode.BadRequest, "events[1] ('big-2')");
        await BadInputTests.AssertProblem(await client.PostAsJsonAsync("/api/models/exp-bad-outcome/experiments/launch/outcomes", new { events = Array.Empty<object>() }), HttpStatusCode.BadRequest, "non-empty");
        await BadInputTests.AssertProblem(await client.PostAsJsonAsync("/api/models/exp-bad-outcome/experiments/nope/outcomes", new { events }), HttpStatusCode.NotFound, "nope");

        Assert.Equal(0, (await ReadoutAsync("exp-bad-outcome")).GetProperty("traffic").GetProperty("outcomes").GetInt32());
    }

    [Fact]
    public async Task Twenty_thousand_simulated_units_read_out_as_the_statistics_layer_computes_them_and_conclude_ships_the_winner()
    {
        var id = await RunningAsync("exp-simulated", minimumDetectableEffect: 0.2);

        var served = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 20_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var client = fixture.Client(RunnerFixture.FunctionKey);
            served[i] = (await PredictAsync(client, "exp-simulated", $"sim-{i}")).Variant;
        });

        // Control converts exactly 1 unit in 10, treatment 3 in 25 (12 %), counted in unit order within each variant: the
        // split itself differs per run (the experiment id seeds it), the rates and so the decision do not.
        var seen = new Dictionary<string, int>();
        var converted = served.OrderBy(s => s.Key).ToDictionary(s => $"sim-{s.Key}", s =>
        {
            var k = seen[s.Value] = seen.GetValueOrDefault(s.Value) + 1;
            return (Variant: s.Value, Converted: s.Value == "control" ? k % 10 == 0 : k % 25 < 3);
        });
        await FlushExposuresAsync();
        using (var client = fixture.Client(RunnerFixture.FunctionKey))
        {
            foreach (var chunk in converted.Where(c => c.Value.Converted).Select(c => new { id = $"signup-{c.Key}", unit = c.Key, value = 1 }).Chunk(1000))
            {
                (await client.PostAsJsonAsync("/api/models/exp-simulated/experiments/launch/outcomes", new { events = chunk })).EnsureSuccessStatusCode();
            }
        }

        var readout = await ReadoutAsync("exp-simulated");

        VariantSample Sample(string variant) => VariantSample.Binary(converted.Count(c => c.Value.Variant == variant), converted.Count(c => c.Value.Variant == variant && c.Value.Converted));
        var (control, treatment) = (Sample("control"), Sample("treatment"));
        Assert.Equal(20_000, control.Units + treatment.Units);
        Assert.Equal((control.Units, treatment.Units), (Units(readout, "control"), Units(readout, "treatment")));
        var expected = ExperimentStatistics.Compare(control, treatment, MetricKind.Binary, readout.GetProperty("sequential").GetProperty("mixtureVariance").GetDouble());
        var comparison = Assert.Single(readout.GetProperty("comparisons").EnumerateArray());
        Assert.Equal(expected.Lift, comparison.GetProperty("lift").GetDouble(), 12);
        Assert.Equal(expected.LiftInterval.Lower, comparison.GetProperty("liftInterval").GetProperty("lower").GetDouble(), 12);
        Assert.Equal(expected.LiftInterval.Upper, comparison.GetProperty("liftInterval").GetProperty("upper").GetDouble(), 12);
        Assert.Equal(expected.PValue, comparison.GetProperty("pValue").GetDouble(), 12);
        Assert.Equal(expected.AlwaysValidPValue, comparison.GetProperty("alwaysValidPValue").GetDouble(), 12);
        Assert.InRange(0.02, expected.LiftInterval.Lower, expected.LiftInterval.Upper);
        Assert.False(readout.GetProperty("sampleRatio").GetProperty("mismatch").GetBoolean());
        Assert.Equal("ship treatment", readout.GetProperty("decision").GetString());
        Assert.All(readout.GetProperty("variants").EnumerateArray(), v => Assert.Equal(v.GetProperty("version").GetInt32(), v.GetProperty("performance").GetProperty("version").GetInt32()));

        using var admin = fixture.Client();
        var conclude = await admin.PostAsJsonAsync("/api/models/exp-simulated/experiments/launch/conclude", new { by = "product-lead", reason = "sign-ups up" });
        Assert.Equal(HttpStatusCode.OK, conclude.StatusCode);
        var concluded = (await conclude.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("experiment");
        Assert.Equal("concluded", concluded.GetProperty("state").GetString());
        var conclusion = concluded.GetProperty("conclusion");
        Assert.Equal(("product-lead", "ship treatment", "treatment", 2), (conclusion.GetProperty("by").GetString(), conclusion.GetProperty("decision").GetString(), conclusion.GetProperty("shipped").GetString(), conclusion.GetProperty("champion").GetInt32()));
        var card = await admin.GetFromJsonAsync<JsonElement>("/api/models/exp-simulated");
        Assert.Equal(2, card.GetProperty("card").GetProperty("aliases").GetProperty("champion").GetInt32());

        // Concluded: the champion serves everyone, with no variant; a second conclude is refused.
        using var after = await admin.PostAsync("/api/models/exp-simulated/predict", new StringContent(Row, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(2, (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        Assert.False(after.Headers.Contains(StratusHeaders.Variant));
        await BadInputTests.AssertProblem(await admin.PostAsync("/api/models/exp-simulated/experiments/launch/conclude", null), HttpStatusCode.Conflict, "concluded by product-lead");
        _ = id;
    }

    [Fact]
    public async Task Concluding_an_undecided_experiment_is_a_409_and_a_variant_named_by_hand_is_shipped_and_recorded()
    {
        await RunningAsync("exp-by-hand");
        using var admin = fixture.Client();

        await BadInputTests.AssertProblem(await admin.PostAsync("/api/models/exp-by-hand/experiments/launch/conclude", null), HttpStatusCode.Conflict, "Wait for a decision");
        await BadInputTests.AssertProblem(await admin.PostAsJsonAsync("/api/models/exp-by-hand/experiments/launch/conclude", new { variant = "nope" }), HttpStatusCode.BadRequest, "no variant 'nope'");

        var conclude = await admin.PostAsJsonAsync("/api/models/exp-by-hand/experiments/launch/conclude", new { variant = "treatment", by = "ana", reason = "legal asked for v2" });
        Assert.Equal(HttpStatusCode.OK, conclude.StatusCode);
        var conclusion = (await conclude.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("experiment").GetProperty("conclusion");
        Assert.Equal(("ana", "treatment", 2), (conclusion.GetProperty("by").GetString(), conclusion.GetProperty("shipped").GetString(), conclusion.GetProperty("champion").GetInt32()));
        Assert.StartsWith("legal asked for v2 (chosen by hand", conclusion.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/api/models/exp-by-hand")).GetProperty("card").GetProperty("aliases").GetProperty("champion").GetInt32());
    }

    [Fact]
    public async Task A_shadow_experiment_answers_from_control_and_reports_each_shadows_agreement_latency_and_errors()
    {
        var card = new { task = "multiclass-classification", businessMetric = "signed-up" };
        await fixture.RegisterAsync("exp-shadow", "iris", card);
        await fixture.RegisterAsync("exp-shadow", "iris", card);
        await fixture.RegisterAsync("exp-shadow", "breast-cancer", card);
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/exp-shadow/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        // v2 is the same iris model (it agrees on every row); v3 expects 30 features, so every shadow run of it fails.
        var variants = new object[] { new { name = "control", alias = "champion" }, new { name = "same", version = 2 }, new { name = "broken", version = 3 } };
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/api/models/exp-shadow/experiments/launch", new { variants, mode = "shadow" })).StatusCode);

        using var client = fixture.Client(RunnerFixture.FunctionKey);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(("control", 1), await PredictAsync(client, "exp-shadow", $"s-{i}"));
        }

        await FlushExposuresAsync();
        var readout = await ReadoutAsync("exp-shadow");

        // Shadows run on spare capacity: a call that arrives while the instance is saturated is dropped and counted.
        var shadow = readout.GetProperty("shadow");
        var dropped = shadow.GetProperty("dropped").GetInt64();
        var byName = shadow.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        var same = byName["same"];
        var ran = same.GetProperty("calls").GetProperty("calls").GetInt64();
        Assert.True(ran > 0 && ran + dropped == 30, shadow.ToString());
        Assert.Equal((0L, ran, 1.0), (same.GetProperty("calls").GetProperty("errors").GetInt64(), same.GetProperty("comparedRows").GetInt64(), same.GetProperty("agreement").GetDouble()));
        Assert.True(same.GetProperty("calls").GetProperty("p99Ms").GetDouble() > 0);
        var broken = byName["broken"].GetProperty("calls");
        Assert.Equal((ran, ran), (broken.GetProperty("calls").GetInt64(), broken.GetProperty("errors").GetInt64()));
        var control = readout.GetProperty("variants")[0].GetProperty("calls");
        Assert.Equal((30L, 0L), (control.GetProperty("calls").GetInt64(), control.GetProperty("errors").GetInt64()));
        Assert.Equal("continue", readout.GetProperty("decision").GetString());
    }

    /// <summary>iris as v1 (champion) and flaky-iris as v2 (fails whenever the first feature is exactly 3.0), then a canary of v2.</summary>
    private async Task<string> CanaryAsync(string model, object canary)
    {
        var card = new { task = "multiclass-classification", businessMetric = "signed-up" };
        await fixture.RegisterAsync(model, "iris", card);
        using var admin = fixture.Client();
        using var flaky = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(TestPaths.Root, "tests", "Stratus.IntegrationTests", "Fixtures", "Models", "flaky-iris.onnx")));
        flaky.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        (await admin.PostAsync($"/api/models/{model}/versions", flaky)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/models/{model}/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        var variants = new object[] { new { name = "control", alias = "champion" }, new { name = "challenger", version = 2 } };
        var put = await admin.PutAsJsonAsync($"/api/models/{model}/experiments/launch", new { variants, mode = "canary", canary });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Sends one call per unit (the first feature 3.0 where <paramref name="failing"/> says so); returns how many were not answered with 200.</summary>
    private async Task<int> SendAsync(string model, IEnumerable<(string Unit, bool Failing)> calls)
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var failed = 0;
        foreach (var (unit, failing) in calls)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/predict")
            {
                Content = new StringContent(failing ? """{"instances":[[3.0,3.5,1.4,0.2]]}""" : Row, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(StratusHeaders.Unit, unit);
            using var response = await client.SendAsync(request);
            failed += response.IsSuccessStatusCode ? 0 : 1;
        }

        return failed;
    }

    /// <summary>Completes with the canary's orchestration (its ramp runs on durable timers of a second), or fails after a minute.</summary>
    private Task<OrchestrationMetadata> RampAsync(string experimentId)
    {
        var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return fixture.Runner.Services.GetRequiredService<DurableTaskClient>()
            .WaitForInstanceCompletionAsync(ExperimentFunctions.CanaryInstanceId(experimentId), getInputsAndOutputs: true, timeout.Token)
            .ContinueWith(t => { timeout.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
    }

    private async Task<JsonElement> ExperimentAsync(string model)
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        return (await client.GetFromJsonAsync<JsonElement>($"/api/models/{model}/experiments/launch")).GetProperty("experiment");
    }

    private static string[] UnitsOf(string id, int variant, double[] weights, int count) =>
        Enumerable.Range(0, 100_000).Select(i => $"unit-{i}").Where(u => VariantAssigner.Assign(id, u, weights) == variant).Take(count).ToArray();

    [Fact]
    public async Task A_canary_whose_challenger_fails_20_percent_of_its_calls_rolls_itself_back_to_control_and_records_why()
    {
        var id = await CanaryAsync("exp-canary-bad", new { steps = new[] { 0.05, 0.25, 0.5 }, holdSeconds = 1, minRequests = 20 });
        var challenger = UnitsOf(id, 1, [0.95, 0.05], 25);
        var control = UnitsOf(id, 0, [0.95, 0.05], 25);

        // Every fifth call carries the row only the challenger fails on; control answers all of them.
        var failed = await SendAsync("exp-canary-bad", challenger.Select((u, i) => (u, i % 5 == 0)).Concat(control.Select((u, i) => (u, i % 5 == 0))));
        Assert.Equal(5, failed);
        await FlushExposuresAsync();

        var ramp = await RampAsync(id);
        Assert.StartsWith("\"rolled-back", ramp.SerializedOutput, StringComparison.Ordinal);
        var experiment = await ExperimentAsync("exp-canary-bad");

        Assert.Equal("stopped", experiment.GetProperty("state").GetString());
        Assert.StartsWith("rolled back: the challenger failed 20.0 % of 25 calls", experiment.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal("rolled-back", experiment.GetProperty("progress").GetProperty("status").GetString());
        Assert.Equal([1.0, 0.0], experiment.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("weight").GetDouble()));
        // Rolled back: the challenger's units are served by control again.
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        Assert.Equal(0, await SendAsync("exp-canary-bad", challenger.Take(5).Select(u => (u, true))));
    }

    [Fact]
    public async Task A_healthy_canary_ramps_through_its_steps_and_then_runs_at_the_last_split()
    {
        // Sub-millisecond calls on a shared machine: a p99 guard of ×1.5 would judge scheduling noise (the latency guard
        // itself is tested in CanaryHealthTests), so this ramp allows ×20.
        var id = await CanaryAsync("exp-canary-good", new { steps = new[] { 0.05, 0.25 }, holdSeconds = 1, minRequests = 10, maxLatencyRatio = 20 });

        var ramp = RampAsync(id);

        // Traffic until the ramp ends: each round gives both steps' challenger units calls (a step judges only calls
        // made after it began), and is flushed so the step's check can read it.
        var units = UnitsOf(id, 1, [0.95, 0.05], 10).Concat(UnitsOf(id, 0, [0.95, 0.05], 10)).Concat(UnitsOf(id, 1, [0.75, 0.25], 10)).Concat(UnitsOf(id, 0, [0.75, 0.25], 10)).Distinct().ToArray();
        while (!ramp.IsCompleted)
        {
            Assert.Equal(0, await SendAsync("exp-canary-good", units.Select(u => (u, false))));
            await FlushExposuresAsync();
        }

        Assert.Equal("\"complete\"", (await ramp).SerializedOutput);
        var done = await ExperimentAsync("exp-canary-good");
        Assert.True((done.GetProperty("state").GetString(), done.GetProperty("progress").GetProperty("status").GetString()) == ("running", "complete"), done.ToString());
        Assert.Equal([0.75, 0.25], done.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("weight").GetDouble()));
    }
}

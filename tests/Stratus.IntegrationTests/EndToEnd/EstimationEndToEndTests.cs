using Stratus.Core.Http;
using Stratus.Core.Training;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Performance estimated without labels, with known truth: models trained through Stratus on seeded synthetic data
/// (<see cref="SyntheticData"/>), then served in-distribution, covariate-shifted and concept-drifted rows. The tests
/// hold every label, so they compute the realized values themselves and check the estimates against them.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class EstimationEndToEndTests(RunnerFixture fixture)
{
    private static readonly SyntheticData.Shift Covariate = new(X1Shift: 1.5, SegmentShares: [0.2, 0.3, 0.5]);

    /// <summary>Trains <paramref name="model"/> on 4000 seeded rows and makes it champion; its 20 % holdout becomes its reference.</summary>
    private async Task TrainAsync(string model, string task, string csv, object candidate)
    {
        using var admin = fixture.Client();
        var upload = await admin.PutAsync($"/api/datasets/{model}-data", DatasetEndToEndTests.Csv(csv));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        var start = await admin.PostAsJsonAsync($"/api/models/{model}/train", new { dataset = $"{model}-data", label = "label", task, candidates = new[] { candidate } });
        var done = await TrainingEndToEndTests.WaitForCompletionAsync(admin, start);
        Assert.True(done.GetProperty("output").GetProperty("promoted").GetBoolean(), done.ToString());
    }

    /// <summary>Serves the rows 100 per call under request ids <c>{prefix}-{call}</c>; answers each row's output.</summary>
    private async Task<List<JsonElement>> ServeAsync(string model, IReadOnlyList<SyntheticData.Row> rows, string prefix)
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var outputs = new List<JsonElement>();
        foreach (var (chunk, i) in rows.Chunk(100).Select((c, i) => (c, i)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/predict") { Content = JsonContent.Create(new { instances = chunk.Select(r => r.Instance) }) };
            request.Headers.Add(StratusHeaders.RequestId, $"{prefix}-{i}");
            var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            outputs.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().Select(p => p.Clone()));
        }

        await MonitoringEndToEndTests.SettleAsync(fixture.Runner);
        return outputs;
    }

    private async Task<JsonElement> ReportAsync(string model)
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var response = await client.GetAsync($"/api/models/{model}/monitoring");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The realized accuracy and ROC AUC of served outputs against the labels the test holds.</summary>
    private static (double Accuracy, double Auc) Realized(IReadOnlyList<SyntheticData.Row> rows, IReadOnlyList<JsonElement> outputs)
    {
        var labels = rows.Select(r => r.Label).ToArray();
        var accuracy = outputs.Select((o, i) => o.GetProperty("label").GetInt32() == (int)labels[i] ? 1.0 : 0.0).Average();
        var auc = MetricFormulas.Auc(labels, outputs.Select(o => (float)o.GetProperty("probability").GetDouble()).ToArray());
        return (accuracy, auc);
    }

    private static void AssertWithinBand(JsonElement estimate, double realized, string what)
    {
        var (lower, upper) = (estimate.GetProperty("lower").GetDouble(), estimate.GetProperty("upper").GetDouble());
        Assert.True(realized >= lower && realized <= upper, $"{what}: realized {realized:0.####} outside the estimate's band [{lower:0.####}, {upper:0.####}] (estimate {estimate.GetProperty("value").GetDouble():0.####})");
    }

    [Theory]
    [InlineData("est-in", false)]
    [InlineData("est-shift", true)]
    public async Task Estimated_accuracy_and_auc_hold_the_realized_values_within_their_band_in_distribution_and_under_covariate_shift(string model, bool shifted)
    {
        await TrainAsync(model, "binary-classification", SyntheticData.Csv(SyntheticData.Logistic(4000, seed: 1)), new { algorithm = "lbfgs" });
        var served = SyntheticData.Logistic(3000, seed: 2, shifted ? Covariate : null);

        var outputs = await ServeAsync(model, served, model);
        var report = await ReportAsync(model);

        var estimation = report.GetProperty("estimation");
        Assert.True(estimation.GetProperty("available").GetBoolean(), estimation.ToString());
        Assert.Equal("cbpe", estimation.GetProperty("method").GetString());
        Assert.Equal(3000, estimation.GetProperty("rows").GetInt64());
        Assert.Contains(estimation.GetProperty("assumptions").EnumerateArray(), a => a.GetString()!.Contains("concept drift", StringComparison.Ordinal));
        var (accuracy, auc) = Realized(served, outputs);
        var estimated = report.GetProperty("estimated");
        AssertWithinBand(estimated.GetProperty("accuracy"), accuracy, "accuracy");
        AssertWithinBand(estimated.GetProperty("auc"), auc, "auc");
        Assert.Equal("cbpe", estimated.GetProperty("accuracy").GetProperty("method").GetString());
        Assert.NotEqual("degraded", report.GetProperty("verdict").GetString());
        if (shifted)
        {
            // The shift is real (x1 and the segment drifted) and the estimate followed the realized value away from the reference.
            var drifted = report.GetProperty("features").EnumerateArray().Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("feature").GetString()).ToArray();
            Assert.Contains("x1", drifted);
            Assert.Contains("segment", drifted);
        }
    }

    [Fact]
    public async Task Concept_drift_leaves_the_estimate_at_the_reference_while_realized_accuracy_falls_and_feedback_makes_the_verdict_degraded_and_alert()
    {
        const string model = "est-concept";
        await TrainAsync(model, "binary-classification", SyntheticData.Csv(SyntheticData.Logistic(4000, seed: 1)), new { algorithm = "lbfgs" });
        var served = SyntheticData.Logistic(3000, seed: 3, concept: true);

        var outputs = await ServeAsync(model, served, model);
        var before = await ReportAsync(model);

        // Same inputs, new labelling: CBPE sees nothing, because it only sees the inputs and the model's confidence.
        var estimate = before.GetProperty("estimated").GetProperty("accuracy");
        var reference = estimate.GetProperty("reference").GetDouble();
        var (accuracy, _) = Realized(served, outputs);
        Assert.InRange(estimate.GetProperty("value").GetDouble(), reference - 0.03, reference + 0.03);
        Assert.False(estimate.GetProperty("alert").GetBoolean());
        Assert.True(accuracy < reference - 0.2, $"realized {accuracy} vs reference {reference}");
        Assert.NotEqual("degraded", before.GetProperty("verdict").GetString());

        using var client = fixture.Client(RunnerFixture.FunctionKey);
        var items = served.Select((r, i) => new { requestId = $"{model}-{i / 100}", index = i % 100, label = (int)r.Label }).ToArray();
        foreach (var chunk in items.Chunk(1000))
        {
            var feedback = await client.PostAsJsonAsync($"/api/models/{model}/feedback", new { items = chunk });
            Assert.True(feedback.IsSuccessStatusCode, await feedback.Content.ReadAsStringAsync());
        }

        var after = await ReportAsync(model);
        Assert.Equal("degraded", after.GetProperty("verdict").GetString());
        var withLabels = after.GetProperty("estimated").GetProperty("accuracy");
        Assert.Equal(accuracy, withLabels.GetProperty("realized").GetDouble(), 6);
        Assert.Equal(3000, withLabels.GetProperty("realizedRows").GetInt32());
        Assert.Contains(after.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("realized accuracy", StringComparison.Ordinal));

        // MonitorAll raises the alert, naming the signal and the metric that fell.
        using var admin = fixture.Client();
        await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/monitor", null), TimeSpan.FromSeconds(300));
        var alert = Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/api/models/{model}/alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal("degraded", alert.GetProperty("verdict").GetString());
        Assert.Contains(alert.GetProperty("signals").EnumerateArray(), s => s.GetProperty("signal").GetString() == "realizedDrop" && s.GetProperty("feature").GetString() == "accuracy" && Math.Abs(s.GetProperty("value").GetDouble() - accuracy) < 1e-9);
    }

    [Fact]
    public async Task Dle_estimated_mae_rises_with_the_realized_mae_under_a_shift_into_the_noisier_region_and_stays_within_15_percent()
    {
        const string model = "est-dle";
        await TrainAsync(model, "regression", SyntheticData.Csv(SyntheticData.Heteroscedastic(4000, seed: 1)), new { algorithm = "sdca" });
        var estimates = new List<(double Estimated, double Realized)>();
        foreach (var (shift, seed) in new[] { (SyntheticData.Shift.None, 2), (new SyntheticData.Shift(X1Shift: 1.5), 3) })
        {
            var served = SyntheticData.Heteroscedastic(3000, seed, shift);
            var outputs = await ServeAsync(model, served, $"{model}-{seed}");
            var realized = served.Select((r, i) => Math.Abs(r.Label - outputs[i].GetProperty("value").GetDouble())).Average();
            var report = await ReportAsync(model);
            var estimation = report.GetProperty("estimation");
            Assert.True(estimation.GetProperty("available").GetBoolean(), estimation.ToString());
            Assert.Equal("dle", estimation.GetProperty("method").GetString());
            estimates.Add((report.GetProperty("estimated").GetProperty("mae").GetProperty("value").GetDouble(), realized));
        }

        // The second report covers both scenarios' rows (one window): compare it with the realized MAE over all of them.
        var (first, cumulative) = (estimates[0], estimates[1]);
        Assert.True(cumulative.Estimated > first.Estimated, $"estimate did not rise: {first.Estimated} then {cumulative.Estimated}");
        Assert.InRange(first.Estimated, first.Realized * 0.85, first.Realized * 1.15);
        var realizedAll = (first.Realized + cumulative.Realized) / 2;
        Assert.InRange(cumulative.Estimated, realizedAll * 0.85, realizedAll * 1.15);
    }
}

using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>Experiments through the runner's HTTP API: starting one, the one-at-a-time rule, listing, showing and stopping.</summary>
[Collection(RunnerCollection.Name)]
public sealed class ExperimentEndToEndTests(RunnerFixture fixture)
{
    /// <summary>A model with two versions, v1 champion, whose card names its business metric.</summary>
    private async Task ModelAsync(string model)
    {
        var card = new { task = "binary-classification", businessObjective = "approve good loans", businessMetric = "repaid" };
        await fixture.RegisterAsync(model, "breast-cancer", card);
        await fixture.RegisterAsync(model, "breast-cancer", card);
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync($"/api/models/{model}/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
    }

    private static object Variants(double control = 0.5, double treatment = 0.5) => new object[]
    {
        new { name = "control", alias = "champion", weight = control },
        new { name = "treatment", version = 2, weight = treatment },
    };

    [Fact]
    public async Task An_experiment_starts_with_the_cards_business_metric_and_a_second_start_while_it_runs_is_a_409_until_it_is_stopped()
    {
        await ModelAsync("exp-crud");
        using var admin = fixture.Client();

        var first = await admin.PutAsJsonAsync("/api/models/exp-crud/experiments/first", new { variants = Variants(), minimumDetectableEffect = 0.1 });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var started = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("running", started.GetProperty("state").GetString());
        Assert.Equal("ab", started.GetProperty("mode").GetString());
        Assert.Equal(("repaid", "binary", "increase"), (started.GetProperty("metric").GetProperty("name").GetString(), started.GetProperty("metric").GetProperty("kind").GetString(), started.GetProperty("metric").GetProperty("direction").GetString()));
        Assert.Equal((0.05, 0.8), (started.GetProperty("alpha").GetDouble(), started.GetProperty("power").GetDouble()));

        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-crud/experiments/second", new { variants = Variants() }), HttpStatusCode.Conflict, "'first' is running");

        var stop = await admin.PostAsJsonAsync("/api/models/exp-crud/experiments/first/stop", new { reason = "bug in the treatment" });
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var stopped = await stop.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("stopped", "bug in the treatment"), (stopped.GetProperty("state").GetString(), stopped.GetProperty("note").GetString()));
        await BadInputTests.AssertProblem(await admin.PostAsync("/api/models/exp-crud/experiments/first/stop", null), HttpStatusCode.Conflict, "stopped");

        // Stopped, a new one may start; the old name stays taken, for the record.
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/api/models/exp-crud/experiments/second", new { variants = Variants(0.9, 0.1) })).StatusCode);
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-crud/experiments/first", new { variants = Variants() }), HttpStatusCode.Conflict, "already has an experiment named 'first'");

        using var reader = fixture.Client(RunnerFixture.FunctionKey);
        var list = await reader.GetFromJsonAsync<JsonElement>("/api/models/exp-crud/experiments");
        Assert.Equal(["second", "first"], list.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var second = await reader.GetFromJsonAsync<JsonElement>("/api/models/exp-crud/experiments/second");
        Assert.Equal([0.9, 0.1], second.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("weight").GetDouble()));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/models/exp-crud/experiments/third")).StatusCode);
    }

    [Fact]
    public async Task Of_eight_concurrent_starts_on_one_model_exactly_one_runs()
    {
        await ModelAsync("exp-race");
        using var admin = fixture.Client();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => admin.PutAsJsonAsync($"/api/models/exp-race/experiments/race-{i}", new { variants = Variants() })));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var list = await fixture.Client(RunnerFixture.FunctionKey).GetFromJsonAsync<JsonElement>("/api/models/exp-race/experiments");
        Assert.Equal("running", Assert.Single(list.GetProperty("experiments").EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Invalid_experiments_get_a_400_naming_what_is_wrong_and_start_nothing()
    {
        await ModelAsync("exp-bad");
        using var admin = fixture.Client();

        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = Variants(0.5, 0.6) }), HttpStatusCode.BadRequest, "sum to 1.1");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = new[] { new { name = "only", alias = "champion", weight = 1.0 } } }), HttpStatusCode.BadRequest, "two or more");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = new object[] { new { name = "control", alias = "champion", weight = 0.5 }, new { name = "treatment", version = 9, weight = 0.5 } } }), HttpStatusCode.BadRequest, "no version 9");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = new object[] { new { name = "control", alias = "nope", weight = 0.5 }, new { name = "treatment", version = 2, weight = 0.5 } } }), HttpStatusCode.BadRequest, "no alias 'nope'");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = Variants(), metric = new { kind = "ratio" } }), HttpStatusCode.BadRequest, "'metric.kind'");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/a", new { variants = Variants(), mode = "sideways" }), HttpStatusCode.BadRequest, "'mode' must be");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/exp-bad/experiments/Bad_Name", new { variants = Variants() }), HttpStatusCode.BadRequest, "experiment name");
        await BadInputTests.AssertProblem(await admin.PutAsJsonAsync("/api/models/no-such-model/experiments/a", new { variants = Variants() }), HttpStatusCode.NotFound, "no-such-model");

        var list = await fixture.Client(RunnerFixture.FunctionKey).GetFromJsonAsync<JsonElement>("/api/models/exp-bad/experiments");
        Assert.Empty(list.GetProperty("experiments").EnumerateArray());
    }
}

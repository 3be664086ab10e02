using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stratus.Core.Configuration;
using Stratus.Functions.Triggers;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

[Collection(RunnerCollection.Name)]
public sealed class RetrainEndToEndTests(RunnerFixture fixture)
{
    private static object Policy(string dataset, string promote = "if-better") => new
    {
        task = "multiclass-classification",
        retraining = new { enabled = true, spec = new { dataset, label = "label", task = "multiclass-classification", candidates = new[] { new { algorithm = "lbfgs" } }, promote } },
    };

    [Fact]
    public async Task RetrainAll_trains_what_is_due_isolates_failures_and_skips_current_models()
    {
        using var admin = fixture.Client();
        var iris = await File.ReadAllTextAsync(TrainingSpecs.Csv("iris"));
        Assert.True((await admin.PutAsync("/api/datasets/rt-iris", DatasetEndToEndTests.Csv(iris))).IsSuccessStatusCode);
        foreach (var model in new[] { "rt-a", "rt-b", "rt-c" })
        {
            (await admin.PutAsJsonAsync($"/api/models/{model}", Policy("rt-iris"))).EnsureSuccessStatusCode();
        }

        (await admin.PutAsJsonAsync("/api/models/rt-broken", Policy("rt-missing"))).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/models/rt-never", Policy("rt-iris", promote: "never"))).EnsureSuccessStatusCode();

        var first = (await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/retrain", null))).GetProperty("output");
        var mine = Mine(first);
        Assert.Equal(["rt-a", "rt-b", "rt-broken", "rt-c", "rt-never"], mine.Select(m => m.GetProperty("model").GetString()));
        var never = mine.Single(m => m.GetProperty("model").GetString() == "rt-never");
        Assert.Equal((1, false), (never.GetProperty("version").GetInt32(), never.GetProperty("promoted").GetBoolean()));
        Assert.All(mine.Where(m => m.GetProperty("model").GetString() is not ("rt-broken" or "rt-never")), m =>
        {
            Assert.Equal(1, m.GetProperty("version").GetInt32());
            Assert.True(m.GetProperty("promoted").GetBoolean());
        });
        Assert.Contains("rt-missing", mine.Single(m => m.GetProperty("model").GetString() == "rt-broken").GetProperty("error").GetString());

        // Nothing changed: every trained model is current (the challenger-only one too); only the broken one is due again.
        var second = Mine((await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/retrain", null))).GetProperty("output"));
        Assert.Equal(["rt-broken"], second.Select(m => m.GetProperty("model").GetString()));

        // New data: every model is due and gets version 2, compared with its champion on the same holdout.
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/datasets/rt-iris", DatasetEndToEndTests.Csv(iris + "5.0,3.4,1.5,0.2,0\n"))).StatusCode);
        var third = Mine((await TrainingEndToEndTests.WaitForCompletionAsync(admin, await admin.PostAsync("/api/retrain", null))).GetProperty("output"));
        Assert.All(third.Where(m => m.GetProperty("model").GetString() is not ("rt-broken" or "rt-never")), m =>
        {
            Assert.Equal(2, m.GetProperty("version").GetInt32());
            Assert.Equal(JsonValueKind.Number, m.GetProperty("metricDelta").ValueKind);
        });
        foreach (var model in new[] { "rt-a", "rt-b", "rt-c" })
        {
            var versions = (await admin.GetFromJsonAsync<JsonElement>($"/api/models/{model}")).GetProperty("versions");
            Assert.Equal([1, 2], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Order());
        }

        // Part of this test, not another: a scheduled run retrains the same registry, so it must not overlap the above.
        await A_timer_that_fires_twice_for_one_occurrence_starts_one_run();
    }

    private async Task A_timer_that_fires_twice_for_one_occurrence_starts_one_run()
    {
        var services = fixture.Runner.Services;
        var durable = services.GetRequiredService<DurableTaskClient>();
        // Firings for the occurrence at `last`, on a clock standing there; a fixed occurrence (the fixture's Azurite is fresh).
        var last = new DateTime(2031, 1, 1, 3, 4, 5, DateTimeKind.Utc);
        var next = last.AddDays(1);
        var clock = new FakeTimeProvider(last);
        var schedule = new RetrainSchedule(services.GetRequiredService<IOptions<StratusOptions>>(), clock, NullLogger<RetrainSchedule>.Instance);
        TimerInfo Firing() => new() { ScheduleStatus = new ScheduleStatus { Last = last, Next = next, LastUpdated = last } };

        await Task.WhenAll(schedule.RetrainOnSchedule(Firing(), durable, CancellationToken.None), schedule.RetrainOnSchedule(Firing(), durable, CancellationToken.None));
        await schedule.RetrainOnSchedule(Firing(), durable, CancellationToken.None);

        var id = RetrainSchedule.InstanceIdFor(Firing(), clock);
        var instances = new List<OrchestrationMetadata>();
        await foreach (var instance in durable.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = id }))
        {
            instances.Add(instance);
        }

        Assert.Single(instances);
        Assert.Equal("RetrainAll", instances[0].Name);
    }

    /// <summary>Only this test's models: other tests in the collection may add their own.</summary>
    private static JsonElement[] Mine(JsonElement output) =>
        output.GetProperty("models").EnumerateArray().Where(m => m.GetProperty("model").GetString()!.StartsWith("rt-", StringComparison.Ordinal)).ToArray();
}

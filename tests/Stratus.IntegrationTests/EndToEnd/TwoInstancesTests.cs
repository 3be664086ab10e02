using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Stratus.Core.Configuration;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Two runner processes on one storage account and one Durable task hub, the second started with <c>--join</c> as the
/// README shows: the local stand-in for a Function App scaled out to several instances.
/// </summary>
public sealed partial class TwoInstancesTests
{
    private static readonly string[] Iris = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];

    [Theory]
    [InlineData("first")]
    [InlineData("joiner")]
    public async Task RetrainAll_over_40_models_runs_activities_on_both_runners_and_the_survivor_of_a_SIGKILL_finishes_it_with_one_version_per_model(string killed)
    {
        const int models = 40;
        var environment = new Dictionary<string, string>
        {
            // Work the killed process held comes back this soon (its partition lease: 15 s).
            [OptionPaths.LocalEngineVisibilityTimeout.Env] = "10",
            // Every model at once: a backlog in the work-item queue keeps both processes' pollers busy. With a few at a time
            // the process running the orchestration took almost every activity as it was scheduled (the other's idle
            // poller had backed off), and the joiner ran under 10 of 361.
            [OptionPaths.RetrainingMaxParallelism.Env] = "40",
        };
        using var first = await RunnerProcess.CreateRootAsync();
        using var second = first.Joiner();
        try
        {
            await first.StartAsync(environment);
            await second.StartAsync(environment, "--join");
            Assert.NotEqual(first.Instance, second.Instance);

            // Registered through the joiner, retrained through the first: one registry, one task hub.
            using var joined = second.Client();
            var upload = await joined.PutAsync("/api/datasets/ti-iris", DatasetEndToEndTests.Csv(await File.ReadAllTextAsync(TrainingSpecs.Csv("iris"))));
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
            for (var i = 0; i < models; i++)
            {
                (await joined.PutAsJsonAsync($"/api/models/ti-{i}", new
                {
                    task = "multiclass-classification",
                    retraining = new { spec = new { dataset = "ti-iris", label = "label", candidates = new object[] { new { algorithm = "lbfgs" }, new { algorithm = "sdca" } } } },
                })).EnsureSuccessStatusCode();
            }

            using var admin = first.Client();
            var started = await admin.PostAsync("/api/retrain", null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Both processes take this run's activities from the shared work-item queue; each logs what it ran.
            await Poll.UntilAsync(
                _ => Task.FromResult((First: ActivitiesOf(first, id), Second: ActivitiesOf(second, id))),
                ran => ran.First >= 5 && ran.Second >= 5,
                TimeSpan.FromSeconds(180),
                "both runners executed activities of the run");
            var progress = (await joined.GetFromJsonAsync<JsonElement>(RunnerProcess.StatusPath(id))).GetProperty("customStatus");
            Assert.True(progress.ValueKind != JsonValueKind.Object || progress.GetProperty("done").GetInt32() < models, $"finished before the kill: {progress}");

            // Either may die: the first started Azurite and took the task hub's partition first; the joiner holds work too.
            var (victim, survivor) = killed == "first" ? (first, second) : (second, first);
            var ranOnVictim = ActivitiesOf(victim, id);
            var ranOnSurvivorBefore = ActivitiesOf(survivor, id);
            victim.Signal("KILL");
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var sinceKill = Stopwatch.StartNew(); // reported, not asserted on

            using var surviving = survivor.Client();
            var (code, body) = await RunnerProcess.WhenEndedAsync(surviving, id, TimeSpan.FromSeconds(300), "RetrainAll completed on the surviving runner");
            Assert.True(code == HttpStatusCode.OK, $"{code}: {body}");
            Console.WriteLine($"RetrainAll, {killed} killed: {ranOnVictim} activities on the killed runner, {ActivitiesOf(survivor, id)} on the survivor; completed {sinceKill.Elapsed.TotalSeconds:F1} s after the kill");

            Assert.True(ActivitiesOf(survivor, id) > ranOnSurvivorBefore, "the survivor ran nothing after the kill");
            var output = body.GetProperty("output");
            Assert.Equal(models, output.GetProperty("due").GetInt32());
            Assert.Equal(models, output.GetProperty("succeeded").GetInt32());
            for (var i = 0; i < models; i++)
            {
                var versions = (await surviving.GetFromJsonAsync<JsonElement>($"/api/models/ti-{i}")).GetProperty("versions");
                Assert.Equal(1, versions.GetArrayLength()); // trained exactly once, whichever process ran which step
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\nFirst runner log:\n{first.Log}\nSecond runner log:\n{second.Log}", e);
        }
    }

    [Fact]
    public async Task An_alias_moved_on_one_runner_is_served_by_the_other_within_CardCacheSeconds_and_monitoring_counts_from_both_merge()
    {
        const int cardCacheSeconds = 2;
        var environment = new Dictionary<string, string>
        {
            [OptionPath.Of(o => o.Serving.CardCacheSeconds).Env] = cardCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [OptionPaths.MonitoringFlushSeconds.Env] = "1",
        };
        using var first = await RunnerProcess.CreateRootAsync();
        using var second = first.Joiner();
        try
        {
            await first.StartAsync(environment); // trains the demo models: iris v1 is champion, with its holdout as reference
            await second.StartAsync(environment, "--join");
            using var one = first.Client();
            using var two = second.Client();

            // Monitoring: 30 rows served by one, 20 by the other; the report (from either) merges both instances' windows.
            var rows = File.ReadLines(TrainingSpecs.Csv("iris")).Skip(1).Select(l => l.Split(',')[..4].Select(double.Parse).ToArray()).ToArray();
            Assert.Equal(1, await PredictAsync(one, rows[..30]));
            Assert.Equal(1, await PredictAsync(two, rows[30..50]));
            var report = await Poll.UntilAsync(
                ct => two.GetFromJsonAsync<JsonElement>("/api/models/iris/monitoring?version=1", ct),
                r => r.GetProperty("rows").GetInt64() >= 50,
                TimeSpan.FromSeconds(30),
                "both runners' windows flushed");
            Assert.Equal(50, report.GetProperty("rows").GetInt64());

            // An alias moved through the first runner: the second, which cached the card, serves the new champion once its cache expires.
            using (var content = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.SampleModel("iris"))))
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                Assert.Equal(2, (await (await one.PostAsync("/api/models/iris/versions", content)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
            }

            Assert.Equal(1, await PredictAsync(two, rows[..1]));
            (await one.PutAsJsonAsync("/api/models/iris/aliases/champion", new { version = 2 })).EnsureSuccessStatusCode();
            var moved = Stopwatch.StartNew();
            await Poll.UntilAsync(ct => PredictAsync(two, rows[..1], ct), version => version == 2, TimeSpan.FromSeconds(cardCacheSeconds + 10), "the second runner served v2");
            Console.WriteLine($"The second runner served the new champion {moved.Elapsed.TotalSeconds:F2} s after the move (CardCacheSeconds {cardCacheSeconds})");
            // The cache's 2 s, plus room for polling, a request and loading v2's session on a busy machine.
            Assert.True(moved.Elapsed < TimeSpan.FromSeconds(cardCacheSeconds + 3), $"served the old champion for {moved.Elapsed.TotalSeconds:F2} s");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\nFirst runner log:\n{first.Log}\nSecond runner log:\n{second.Log}", e);
        }
    }

    [Fact]
    public async Task Joining_when_no_runner_runs_from_the_root_fails_at_start_naming_the_root_and_what_to_start_first()
    {
        var root = Directory.CreateTempSubdirectory("stratus-join-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Stratus.LocalRunner.LocalRunnerHost.StartAsync(new Stratus.LocalRunner.LocalRunnerOptions
            {
                Root = root,
                Url = "http://127.0.0.1:0",
                Join = true,
                SeedDemoModels = false,
            }));
            Assert.Contains("--join", error.Message, StringComparison.Ordinal);
            Assert.Contains(root, error.Message, StringComparison.Ordinal);
            Assert.Contains("start one first", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The version that served the rows.</summary>
    private static async Task<int> PredictAsync(HttpClient client, double[][] rows, CancellationToken cancellationToken = default)
    {
        var response = await client.PostAsJsonAsync("/api/models/iris/predict", new { instances = rows }, cancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("version").GetInt32();
    }

    /// <summary>Activities of the run (its TrainModel children's ids contain its id) this process logged as executed.</summary>
    private static int ActivitiesOf(RunnerProcess runner, string runId) =>
        ExecutedActivity().Matches(runner.Log).Count(m => m.Groups["orchestration"].Value.Contains(runId, StringComparison.Ordinal) && m.Groups["instance"].Value == runner.Instance);

    [GeneratedRegex(@"Executed activity \S+ \(Succeeded\) for (?<orchestration>\S+) on instance (?<instance>\S+)")]
    private static partial Regex ExecutedActivity();
}

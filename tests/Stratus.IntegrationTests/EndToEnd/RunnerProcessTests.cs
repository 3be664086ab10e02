using System.Diagnostics;
using Stratus.Core.Configuration;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>The runner in its own process: demo training at first start, clean shutdown, and crash recovery.</summary>
public sealed class RunnerProcessTests
{
    [Fact]
    public async Task Runner_trains_demo_models_and_stops_everything_on_sigterm()
    {
        using var runner = await RunnerProcess.CreateRootAsync();
        try
        {
            await runner.StartAsync();
            using var client = runner.Client("local-function-key");
            var predict = await client.PostAsJsonAsync("/api/models/iris/predict", new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
            Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
            var body = await predict.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, body.GetProperty("version").GetInt32());
            Assert.Equal(0, body.GetProperty("predictions")[0].GetProperty("label").GetInt32());

            var azurite = Assert.Single(runner.Azurite());
            runner.Signal("TERM");
            await runner.WaitForExitAsync(TimeSpan.FromSeconds(15));
            Assert.True(azurite.WaitForExit(5000), "Azurite outlived the runner");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\nRunner log:\n{runner.Log}", e);
        }
    }

    [Fact]
    public async Task RetrainAll_killed_mid_run_resumes_after_restart_and_trains_every_model_once()
    {
        const int models = 8;
        var environment = new Dictionary<string, string>
        {
            [OptionPaths.LocalEngineVisibilityTimeout.Env] = "8",
            [OptionPaths.RetrainingMaxParallelism.Env] = "2",
        };
        using var runner = await RunnerProcess.CreateRootAsync();
        try
        {
            await runner.StartAsync(environment);
            using (var admin = runner.Client())
            {
                var upload = await admin.PutAsync("/api/datasets/kr-iris", DatasetEndToEndTests.Csv(await File.ReadAllTextAsync(TrainingSpecs.Csv("iris"))));
                Assert.True(upload.IsSuccessStatusCode);
                for (var i = 0; i < models; i++)
                {
                    (await admin.PutAsJsonAsync($"/api/models/kr-{i}", new
                    {
                        task = "multiclass-classification",
                        retraining = new { spec = new { dataset = "kr-iris", label = "label", candidates = new object[] { new { algorithm = "lbfgs" }, new { algorithm = "sdca" }, new { algorithm = "lightgbm", @params = new { numberOfLeaves = new[] { 4, 8 } } } } } },
                    })).EnsureSuccessStatusCode();
                }

                var started = await admin.PostAsync("/api/retrain", null);
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

                // Kill -9 as soon as some models are done and others are not (the runner is another process: poll its status).
                var progress = (await Poll.UntilAsync(
                    ct => admin.GetFromJsonAsync<JsonElement>(RunnerProcess.StatusPath(id), ct),
                    status => status.TryGetProperty("customStatus", out var p) && p.ValueKind == JsonValueKind.Object && p.GetProperty("done").GetInt32() >= 1,
                    TimeSpan.FromSeconds(120),
                    "RetrainAll finished a first model")).GetProperty("customStatus");
                Assert.True(progress.GetProperty("done").GetInt32() < progress.GetProperty("total").GetInt32(), "finished before the kill");

                runner.Signal("KILL");
                await runner.WaitForExitAsync(TimeSpan.FromSeconds(10));
                var restarted = Stopwatch.StartNew(); // reported, not asserted on
                await runner.StartAsync(environment);
                using var after = runner.Client();
                var (code, body) = await RunnerProcess.WhenEndedAsync(after, id, TimeSpan.FromSeconds(180), "RetrainAll completed after the restart");
                Assert.True(code == HttpStatusCode.OK, $"{code}: {body}");
                var output = body.GetProperty("output");

                Console.WriteLine($"RetrainAll completed {restarted.Elapsed.TotalSeconds:F1} s after the restart began");
                Assert.Equal(models, output.GetProperty("due").GetInt32());
                Assert.Equal(models, output.GetProperty("succeeded").GetInt32());
                for (var i = 0; i < models; i++)
                {
                    var versions = (await after.GetFromJsonAsync<JsonElement>($"/api/models/kr-{i}")).GetProperty("versions");
                    Assert.Equal(1, versions.GetArrayLength()); // trained exactly once: no duplicate versions
                    var runs = (await after.GetFromJsonAsync<JsonElement>($"/api/runs?model=kr-{i}")).GetProperty("runs");
                    Assert.Single(runs.EnumerateArray());
                }
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\nRunner log:\n{runner.Log}", e);
        }
    }
}

using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Functions.Orchestrations;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Azurite;
using Stratus.Registry;
using Stratus.Training.Datasets;

namespace Stratus.Benchmarks;

/// <summary>
/// RetrainAll over many models on the local engine (Azure Storage backend on Azurite): wall time, activities per
/// second and the runner's peak memory. Every model has the same four candidates on the iris data.
/// </summary>
public static class RetrainScaleBenchmark
{
    public static async Task<int> RunAsync(int models, int parallelism)
    {
        await using var host = await BenchmarkRunner.StartAsync("http://127.0.0.1:0", "bench");
        var runner = host.Runner;
        var services = runner.Services;
        var datasets = services.GetRequiredService<DatasetService>();
        await using (var csv = File.OpenRead(Path.Combine(BenchmarkOptions.Root, "samples", "data", "iris.csv")))
        {
            await datasets.UploadAsync("bench-iris", csv, csv.Length, CancellationToken.None);
        }

        var spec = new TrainRequest
        {
            Dataset = "bench-iris",
            Label = "label",
            Task = ModelTask.MulticlassClassification,
            Candidates =
            [
                new CandidateRequest("lbfgs", null),
                new CandidateRequest("sdca", null),
                new CandidateRequest("lightgbm", new Dictionary<string, System.Text.Json.JsonElement> { ["numberOfLeaves"] = System.Text.Json.JsonSerializer.SerializeToElement(new[] { 4, 8 }) }),
            ],
        };
        var management = services.GetRequiredService<ModelManagementService>();
        for (var i = 0; i < models; i++)
        {
            var name = $"bench-{i:D3}";
            await management.UpsertCardAsync(name, new ModelCardUpdate { Name = name, Task = ModelTask.MulticlassClassification, Retraining = new RetrainingPolicy { Spec = spec } }, null, CancellationToken.None);
        }

        var client = services.GetRequiredService<DurableTaskClient>();
        var id = "retrain-bench-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await client.ScheduleNewOrchestrationInstanceAsync(RetrainAllOrchestrator.Name, new RetrainInput(id, parallelism), new StartOrchestrationOptions(id));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromMinutes(30)).Token);
        clock.Stop();
        var output = done.ReadOutputAs<RetrainOutput>()!;

        // Per model: start, verify dataset, 4 candidates, score champion, register, alias, notify; plus one listing.
        var activities = 1 + output.Due * (1 + 1 + 4 + 1 + 1 + 1 + 1);
        Console.WriteLine("| models | candidates/model | parallelism | status | succeeded | wall time s | activities | activities/s | peak working set MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(FormattableString.Invariant(
            $"| {models} | 4 | {parallelism} | {done.RuntimeStatus} | {output.Succeeded} | {clock.Elapsed.TotalSeconds:F1} | {activities} | {activities / clock.Elapsed.TotalSeconds:F1} | {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} |"));
        return output.Failed == 0 ? 0 : 1;
    }
}

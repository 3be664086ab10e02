using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Stratus.Core.Abstractions;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Functions.Orchestrations;
using Stratus.Registry;
using Stratus.Training.Datasets;
using Stratus.Training.Runs;

namespace Stratus.LocalRunner.Demo;

/// <summary>
/// On first start with an empty registry, registers the GPU-tier demo (<see cref="ResNetDemo"/>) and trains the demo models through the TrainModel orchestration, as a
/// user would: upload the dataset from <c>samples/data</c>, create the card (<c>card.json</c>) with a retraining
/// policy, and train it with <c>train.json</c>.
/// </summary>
public sealed class DemoModelSeeder(
    IModelRegistry registry,
    ModelManagementService models,
    DatasetService datasets,
    TrainingWorkflow training,
    DurableTaskClient durable,
    ILogger<DemoModelSeeder> logger)
{
    public async Task<int> SeedIfEmptyAsync(string root, CancellationToken cancellationToken)
    {
        await foreach (var _ in registry.ListCardsAsync(cancellationToken))
        {
            return 0; // not empty: never touch a registry someone is using
        }

        if (File.Exists(ResNetDemo.ModelPath))
        {
            var resnet = await ResNetDemo.RegisterAsync(models, cancellationToken);
            logger.LogInformation("Demo model {Model} v{Version} registered on the GPU tier ({SizeBytes} bytes)", resnet.Model, resnet.Version, resnet.SizeBytes);
        }

        var samples = Path.Combine(root, "samples", "models");
        var runs = new List<(string Model, string Id)>();
        foreach (var directory in Directory.Exists(samples) ? Directory.GetDirectories(samples).Order(StringComparer.Ordinal).ToArray() : [])
        {
            var cardPath = Path.Combine(directory, "card.json");
            var trainPath = Path.Combine(directory, "train.json");
            if (!File.Exists(cardPath) || !File.Exists(trainPath))
            {
                continue;
            }

            var demo = JsonSerializer.Deserialize<DemoTraining>(await File.ReadAllTextAsync(trainPath, cancellationToken), StratusJson.Options)!;
            await using (var csv = File.OpenRead(Path.Combine(root, "samples", "data", demo.DatasetFile)))
            {
                await datasets.UploadAsync(demo.Train.Dataset!, csv, csv.Length, cancellationToken);
            }

            var card = JsonSerializer.Deserialize<ModelCardUpdate>(await File.ReadAllTextAsync(cardPath, cancellationToken), StratusJson.Options)!
                with { Retraining = new RetrainingPolicy { Spec = demo.Train } };
            await models.UpsertCardAsync(card.Name, card, ifMatch: null, cancellationToken);
            var spec = await training.PrepareAsync(card.Name, demo.Train, cancellationToken);
            var id = TrainingRuns.Prefix(card.Name) + "demo";
            await durable.ScheduleNewOrchestrationInstanceAsync(TrainModelOrchestrator.Name, new TrainInput(id, card.Name, spec), new StartOrchestrationOptions(id), cancellationToken);
            runs.Add((card.Name, id));
        }

        if (runs.Count == 0)
        {
            logger.LogWarning("No demo models under {Directory}", samples);
            return 0;
        }

        logger.LogInformation("Training {Count} demo models ({Models}) through the TrainModel orchestration…", runs.Count, string.Join(", ", runs.Select(r => r.Model)));
        foreach (var (model, id) in runs)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            var done = await durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
            if (done.RuntimeStatus == OrchestrationRuntimeStatus.Completed)
            {
                var output = done.ReadOutputAs<TrainOutput>()!;
                logger.LogInformation("Demo model {Model} v{Version} trained ({Algorithm}) and made {Alias}", model, output.Version, output.Best?.Algorithm, output.Alias);
            }
            else
            {
                logger.LogError("Training demo model {Model} ended {Status}: {Failure}", model, done.RuntimeStatus, done.FailureDetails?.ErrorMessage);
            }
        }

        return runs.Count;
    }

    private sealed record DemoTraining(string DatasetFile, TrainRequest Train);
}

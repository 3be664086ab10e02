using System.Text.Json;
using Stratus.Core.Abstractions;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Serving.Registry;

namespace Stratus.LocalRunner.Demo;

/// <summary>
/// On first start with an empty registry, registers the demo models shipped in <c>samples/models</c>
/// (card.json + model.onnx, made by <c>make-demo-models</c>) and makes each version 1 its champion.
/// </summary>
public sealed class DemoModelSeeder(IModelRegistry registry, ModelManagementService models, ILogger<DemoModelSeeder> logger)
{
    public async Task<int> SeedIfEmptyAsync(string samplesDirectory, CancellationToken cancellationToken)
    {
        await foreach (var _ in registry.ListCardsAsync(cancellationToken))
        {
            return 0; // not empty: never touch a registry someone is using
        }

        if (!Directory.Exists(samplesDirectory))
        {
            logger.LogWarning("No demo models at {Directory}", samplesDirectory);
            return 0;
        }

        var seeded = 0;
        foreach (var directory in Directory.GetDirectories(samplesDirectory).Order(StringComparer.Ordinal))
        {
            var cardPath = Path.Combine(directory, "card.json");
            var onnxPath = Path.Combine(directory, "model.onnx");
            if (!File.Exists(cardPath) || !File.Exists(onnxPath))
            {
                continue;
            }

            var update = JsonSerializer.Deserialize<ModelCardUpdate>(await File.ReadAllTextAsync(cardPath, cancellationToken), StratusJson.Options)!;
            await models.UpsertCardAsync(update.Name, update, ifMatch: null, cancellationToken);
            await using var onnx = File.OpenRead(onnxPath);
            var version = await models.UploadVersionAsync(update.Name, onnx, onnx.Length, new Lineage { Source = Lineage.UploadSource, RunId = "demo-seed" }, cancellationToken);
            await models.SetAliasAsync(update.Name, Aliases.Champion, version.Version, cancellationToken);
            logger.LogInformation("Registered demo model {Model} v{Version} as champion", update.Name, version.Version);
            seeded++;
        }

        return seeded;
    }
}

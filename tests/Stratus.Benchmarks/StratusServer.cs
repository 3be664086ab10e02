using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Reliability.References;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Azurite;

namespace Stratus.Benchmarks;

/// <summary>The local runner as users run it (demo models seeded), on its own throw-away Azurite.</summary>
public static class StratusServer
{
    public const string Key = "bench-key";

    public static async Task<int> ServeAsync(BenchmarkOptions options)
    {
        var data = Directory.CreateTempSubdirectory("stratus-bench-").FullName;
        await using var azurite = await AzuriteHost.StartAsync(Path.Combine(BenchmarkOptions.Root, ".tools"), Stratus.LocalRunner.Hosting.ToolVersions.Load(BenchmarkOptions.Root).Azurite, data, NullLogger.Instance);
        await using var runner = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
        {
            Root = BenchmarkOptions.Root,
            Url = options.Url,
            SeedDemoModels = false,
            GpuTierUrl = null, // the predict path only: no tier process competing for the cores
            Overrides = new Dictionary<string, string?>
            {
                [SettingNames.Storage] = azurite.ConnectionString,
                [SettingNames.FunctionKey] = Key,
                [SettingNames.AdminKey] = Key + "-admin",
                ["Logging:LogLevel:Default"] = "Warning",
                [OptionPaths.MonitoringEnabled.Key] = options.Monitoring ? "true" : "false",
            },
        });
        // The same ONNX file the raw and minimal references load, registered the way users upload models.
        var models = runner.Services.GetRequiredService<ModelManagementService>();
        var features = File.ReadLines(BenchmarkOptions.DataPath).First().Split(',')[..^1];
        await models.UpsertCardAsync("breast-cancer", new ModelCardUpdate { Name = "breast-cancer", Task = ModelTask.BinaryClassification, FeatureNames = features }, null, CancellationToken.None);
        await using (var onnx = File.OpenRead(BenchmarkOptions.ModelPath))
        {
            var version = await models.UploadVersionAsync("breast-cancer", onnx, onnx.Length, null, CancellationToken.None);
            await models.SetAliasAsync("breast-cancer", Aliases.Champion, version.Version, CancellationToken.None);

            // A reference, so every served row is recorded into the sketches (with monitoring on).
            await using var csv = File.OpenRead(BenchmarkOptions.DataPath);
            await runner.Services.GetRequiredService<ReferenceService>().PutCsvAsync("breast-cancer", version.Version, csv, null, ReferenceSet.UploadSource, CancellationToken.None);
        }

        Console.WriteLine($"stratus at {runner.BaseAddress}api/models/breast-cancer/predict (key {Key}, monitoring {(options.Monitoring ? "on" : "off")})");
        await runner.WaitForShutdownAsync();
        Directory.Delete(data, recursive: true);
        return 0;
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
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
        await using var azurite = await AzuriteHost.StartAsync(Path.Combine(BenchmarkOptions.Root, ".tools"), data, NullLogger.Instance);
        await using var runner = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
        {
            Root = BenchmarkOptions.Root,
            Url = options.Url,
            Overrides = new Dictionary<string, string?>
            {
                [SettingNames.Storage] = azurite.ConnectionString,
                [SettingNames.FunctionKey] = Key,
                [SettingNames.AdminKey] = Key + "-admin",
                ["Logging:LogLevel:Default"] = "Warning",
            },
        });
        Console.WriteLine($"stratus at {runner.BaseAddress}api/models/breast-cancer/predict (key {Key})");
        await runner.WaitForShutdownAsync();
        Directory.Delete(data, recursive: true);
        return 0;
    }
}

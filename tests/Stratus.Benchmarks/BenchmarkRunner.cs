using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Azurite;

namespace Stratus.Benchmarks;

/// <summary>
/// The local runner on its own throw-away Azurite (127.0.0.1), without demo models or a GPU tier, warnings only:
/// what every benchmark that needs the whole platform starts. Disposing stops both and deletes the data.
/// </summary>
public sealed class BenchmarkRunner : IAsyncDisposable
{
    private readonly string _data;
    private readonly AzuriteHost _azurite;

    private BenchmarkRunner(string data, AzuriteHost azurite, LocalRunnerHost runner) => (_data, _azurite, Runner) = (data, azurite, runner);

    public LocalRunnerHost Runner { get; }

    public IServiceProvider Services => Runner.Services;

    public static async Task<BenchmarkRunner> StartAsync(string url, string functionKey, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var data = Directory.CreateTempSubdirectory("stratus-bench-").FullName;
        var azurite = await AzuriteHost.StartAsync(Path.Combine(BenchmarkOptions.Root, ".tools"), Stratus.LocalRunner.Hosting.ToolVersions.Load(BenchmarkOptions.Root).Azurite, data, NullLogger.Instance);
        var overrides = new Dictionary<string, string?>
        {
            [SettingNames.Storage] = azurite.ConnectionString,
            [SettingNames.FunctionKey] = functionKey,
            [SettingNames.AdminKey] = functionKey + "-admin",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var runner = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
        {
            Root = BenchmarkOptions.Root,
            Url = url,
            SeedDemoModels = false,
            GpuTierUrl = null, // no tier process competing for the cores
            Overrides = overrides,
        });
        return new BenchmarkRunner(data, azurite, runner);
    }

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

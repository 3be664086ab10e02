using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Azurite;
using Stratus.LocalRunner.Demo;
using Stratus.Registry;

namespace Stratus.Benchmarks;

/// <summary>
/// The GPU tier under closed-loop load with dynamic batching on and off: ResNet18 (the demo), one image per request,
/// straight to the tier's V2 infer route. On a machine with CUDA the same run measures the GPU (the tier logs
/// and reports its execution provider).
/// </summary>
public static class TierBatchingBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var connections = options.Connections.SequenceEqual([1, 16, 64]) ? [1, 8, 32, 64] : options.Connections;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            inputs = new[] { new { name = "Input247", datatype = "FP32", shape = new[] { 1, 3, 224, 224 }, data = Image() } },
        });

        Console.WriteLine("| batching | clients | requests/s | p50 ms | p99 ms | errors |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var batching in new[] { true, false })
        {
            var data = Directory.CreateTempSubdirectory("stratus-tier-bench-").FullName;
            var tierUrl = $"http://127.0.0.1:{FreePort()}";
            await using (var azurite = await AzuriteHost.StartAsync(Path.Combine(BenchmarkOptions.Root, ".tools"), Stratus.LocalRunner.Hosting.ToolVersions.Load(BenchmarkOptions.Root).Azurite, data, NullLogger.Instance))
            await using (var runner = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
            {
                Root = BenchmarkOptions.Root,
                Url = "http://127.0.0.1:0",
                SeedDemoModels = false,
                GpuTierUrl = tierUrl,
                Overrides = new Dictionary<string, string?>
                {
                    [SettingNames.Storage] = azurite.ConnectionString,
                    ["Logging:LogLevel:Default"] = "Warning",
                    [OptionPath.Of(o => o.Tier.Batching.Enabled).Key] = batching ? "true" : "false",
                    [OptionPath.Of(o => o.Tier.Batching.MaxBatchSize).Key] = "32",
                    [OptionPath.Of(o => o.Tier.Batching.MaxQueueDelayMicroseconds).Key] = "2000",
                },
            }))
            {
                await ResNetDemo.RegisterAsync(runner.Services.GetRequiredService<ModelManagementService>(), CancellationToken.None);
                var target = new LoadGenerator.Target("tier", tierUrl, $"/v2/models/{ResNetDemo.Name}/infer", null);
                foreach (var clients in connections)
                {
                    var result = await LoadGenerator.MeasureAsync(target, clients, options.Seconds, TimeSpan.FromSeconds(3), body);
                    Report.Print(batching ? "on" : "off", clients, result.Ticks, options.Seconds, result.Errors);
                }
            }

            Directory.Delete(data, recursive: true);
        }

        return 0;
    }

    /// <summary>A deterministic normalized "image" (values in the range ImageNet normalization produces).</summary>
    private static float[] Image()
    {
        var random = new Random(42);
        return Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

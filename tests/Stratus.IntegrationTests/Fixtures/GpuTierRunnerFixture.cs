using System.Net;
using System.Net.Sockets;
using Stratus.LocalRunner.Demo;

namespace Stratus.Tests.Fixtures;

/// <summary>The local runner with its GPU tier process (CPU execution provider here) on a free port.</summary>
public sealed class GpuTierRunnerFixture : RunnerFixture
{
    public override string? GpuTierUrl { get; } = $"http://127.0.0.1:{FreePort()}";

    /// <summary>The rows of one tier batch of the ResNet18 demo: a session call runs when they are all queued.</summary>
    public const int ResNetBatchRows = 9;

    /// <summary>How long the ResNet18 demo's first queued request waits for others: far beyond any test's patience.</summary>
    public const int ResNetQueueDelayMicroseconds = 600_000_000;

    protected override long MaxUploadBytes => 128L * 1024 * 1024; // room for ResNet18

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [$"Stratus:Tier:Models:{ResNetDemo.Name}:MaxBatchSize"] = ResNetBatchRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Stratus:Tier:Models:{ResNetDemo.Name}:MaxQueueDelayMicroseconds"] = ResNetQueueDelayMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public HttpClient TierClient() => new() { BaseAddress = new Uri(GpuTierUrl!) };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class GpuTierCollection : ICollectionFixture<GpuTierRunnerFixture>
{
    public const string Name = "gpu-tier";
}

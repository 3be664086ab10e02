using System.Net;
using System.Net.Sockets;

namespace Stratus.Tests.Fixtures;

/// <summary>The local runner with its GPU tier process (CPU execution provider here) on a free port.</summary>
public sealed class GpuTierRunnerFixture : RunnerFixture
{
    public override string? GpuTierUrl { get; } = $"http://127.0.0.1:{FreePort()}";

    protected override long MaxUploadBytes => 128L * 1024 * 1024; // room for ResNet18

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

using Microsoft.Extensions.Logging.Abstractions;
using Stratus.LocalRunner.Azurite;
using Stratus.LocalRunner.Hosting;
using Stratus.Storage;

namespace Stratus.Tests.Fixtures;

/// <summary>A real Azurite on 127.0.0.1 with OS-chosen ports and a throw-away data folder.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
    private AzuriteHost? _azurite;

    public AzuriteHost Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started.");
    public string ConnectionString => Azurite.ConnectionString;
    public StorageClients Clients { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteHost.StartAsync(TestPaths.ToolsDirectory, TestPaths.Tools.Azurite, _data, NullLogger.Instance);
        Clients = StorageClients.FromConnectionString(ConnectionString);
        await StorageInitializer.EnsureCreatedAsync(Clients);
    }

    /// <summary>A storage outage: Azurite stops (its data kept on disk); <see cref="RestartAsync"/> ends it.</summary>
    public async Task StopAsync()
    {
        var running = Azurite;
        _ports = (running.BlobPort, running.QueuePort, running.TablePort);
        _azurite = null;
        await running.DisposeAsync();
    }

    /// <summary>Azurite again, on the ports and data its clients already use.</summary>
    public async Task RestartAsync() =>
        _azurite = await AzuriteHost.StartAsync(TestPaths.ToolsDirectory, TestPaths.Tools.Azurite, _data, NullLogger.Instance, ports: _ports ?? throw new InvalidOperationException("Azurite was not stopped."));

    private (int Blob, int Queue, int Table)? _ports;

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

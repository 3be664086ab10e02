using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Stratus.LocalRunner.Durable;

/// <summary>
/// The Durable Task engine of the local runner: the Durable Task gRPC sidecar (the protocol the Functions
/// host's Durable extension speaks to isolated workers) over <see cref="AzureStorageOrchestrationService"/>,
/// the same backend Durable Functions uses by default — so orchestration state lives in (Azurite) storage
/// and survives restarts. Workers and clients connect to it through <see cref="Channel"/>.
/// </summary>
public sealed class LocalDurableEngine : IAsyncDisposable
{
    private readonly WebApplication _sidecar;

    private LocalDurableEngine(WebApplication sidecar, GrpcChannel channel)
    {
        _sidecar = sidecar;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<LocalDurableEngine> StartAsync(DurableEngineOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(options.ConnectionString),
            TaskHubName = options.TaskHub,
            LoggerFactory = loggerFactory,
            // A crashed runner's in-flight work items become visible again after this long. The sidecar does not renew
            // an activity's queue lock: a longer activity's message is handed out again while it runs, and only the
            // backend's in-process duplicate check stops a second run (DurableHostingTests shows it). Activities are
            // idempotent, and this stays above the longest one by default.
            WorkItemQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
            ControlQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            PartitionCount = 1,
            // Unique per process: a restarted runner must not mistake the crashed process's partition lease for its own.
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}",
            // The previous run of this process held the partition lease; don't wait out a long lease on restart.
            LeaseInterval = TimeSpan.FromSeconds(15),
            LeaseRenewInterval = TimeSpan.FromSeconds(5),
            LeaseAcquireInterval = TimeSpan.FromSeconds(5),
        });
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var sidecar = builder.Build();
        sidecar.MapGrpcService<TaskHubGrpcServer>();
        await sidecar.StartAsync(cancellationToken);

        var address = sidecar.Urls.First();
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        loggerFactory.CreateLogger<LocalDurableEngine>().LogInformation(
            "Durable Task engine (Azure Storage backend, task hub {TaskHub}) listening at {Address}", options.TaskHub, address);
        return new LocalDurableEngine(sidecar, channel);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _sidecar.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // in-flight work items are redelivered after the visibility timeout
        }

        await _sidecar.DisposeAsync();
        Channel.Dispose();
    }
}

public sealed record DurableEngineOptions(string ConnectionString, string TaskHub)
{
    public TimeSpan WorkItemVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxConcurrentActivities { get; init; } = 16;
    public int MaxConcurrentOrchestrations { get; init; } = 16;
}

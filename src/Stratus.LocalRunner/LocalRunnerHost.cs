using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Stratus.Core.Configuration;
using Stratus.Core.Diagnostics;
using Stratus.Core.Http;
using Stratus.Functions;
using Stratus.LocalRunner.Azurite;
using Stratus.LocalRunner.Demo;
using Stratus.LocalRunner.Durable;
using Stratus.LocalRunner.GpuTier;
using Stratus.LocalRunner.Hosting;
using Stratus.ServiceDefaults;
using Stratus.Storage;

namespace Stratus.LocalRunner;

/// <summary>
/// Stratus without the Functions host: Azurite (unless real storage is configured), the Durable Task
/// engine, and an ASP.NET Core app that serves the function classes at their routes, fires their timers
/// and runs their orchestrations and activities. Disposing stops all of it.
/// </summary>
public sealed class LocalRunnerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly OwnedServices _owned;

    private LocalRunnerHost(WebApplication app, Uri address, OwnedServices owned)
    {
        _app = app;
        _owned = owned;
        BaseAddress = address;
    }

    public Uri BaseAddress { get; }

    /// <summary>The GPU tier this runner started and keeps running; null when it runs none.</summary>
    public GpuTierSupervisor? GpuTier => _owned.Tier;
    public IServiceProvider Services => _app.Services;
    public IConfiguration Configuration => _app.Configuration;
    public IEnumerable<EndpointDataSource> EndpointSources => ((IEndpointRouteBuilder)_app).DataSources;

    public static async Task<LocalRunnerHost> StartAsync(LocalRunnerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = options.Root, ApplicationName = typeof(LocalRunnerHost).Assembly.GetName().Name });
        var (settingsFile, values) = LocalSettings.Load(options.Root);

        // Precedence as under Core Tools: local.settings, then the environment, then explicit overrides.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(options.Overrides);
        builder.Logging.AddStratusConsole(); // telemetry comes with AddStratus, as under the Functions host
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning).AddFilter("Microsoft.DurableTask", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Azure", LogLevel.Warning);

        // Logs of Azurite start-up and the Durable Task engine, which live outside the web app's container.
        var bootLoggers = LoggerFactory.Create(l => l
            .AddStratusConsole()
            .AddFilter("DurableTask", LogLevel.Warning));
        var log = bootLoggers.CreateLogger<LocalRunnerHost>();
        log.LogInformation("Settings from {File}", settingsFile ?? "(environment only)");

        AzuriteHost? azurite = null;
        LocalDurableEngine? engine = null;
        WebApplication? built = null;
        OwnedServices? owned = null;
        try
        {
            // Azurite unless real storage is configured: this runner's own, or, joining, the running instance's.
            var storage = builder.Configuration[SettingNames.Storage];
            if (string.IsNullOrEmpty(storage) || storage.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
            {
                var azuriteData = Path.Combine(options.DataDirectory, "azurite");
                if (options.Join)
                {
                    storage = AzuriteHost.RunningConnectionString(azuriteData)
                        ?? throw new InvalidOperationException($"--join: no Stratus runner is running from {options.Root} (no live Azurite serves {azuriteData}); start one first, without --join.");
                    log.LogInformation("Joining the running instance's storage and task hub");
                }
                else
                {
                    azurite = await AzuriteHost.StartAsync(options.ToolsDirectory, ToolVersions.Load(options.Root).Azurite, azuriteData, log, cancellationToken: cancellationToken);
                    storage = azurite.ConnectionString;
                }

                builder.Configuration[SettingNames.Storage] = storage;
            }

            var settings = builder.Configuration.GetSection(StratusOptions.Section).Get<StratusOptions>() ?? new StratusOptions();
            var clients = StorageClients.FromConnectionString(storage);
            // Stratus's containers and tables, and the engine's task hub, at the same time: both only wait on storage.
            var starting = LocalDurableEngine.StartAsync(
                new DurableEngineOptions(storage, settings.TaskHub)
                {
                    WorkItemVisibilityTimeout = TimeSpan.FromSeconds(settings.LocalEngine.VisibilityTimeoutSeconds),
                },
                bootLoggers,
                cancellationToken);
            try
            {
                await StorageInitializer.EnsureCreatedAsync(clients, cancellationToken);
            }
            finally
            {
                engine = await starting; // held even when the initializer failed, so the catch below stops it
            }

            // The routing functions send gpu-tier models to the tier this runner starts (or, joining, the running
            // instance's tier), unless one is configured.
            var gpuTierUrl = string.IsNullOrEmpty(builder.Configuration[GpuTierBaseUrl]) ? options.GpuTierUrl : null;
            if (gpuTierUrl is not null)
            {
                builder.Configuration[GpuTierBaseUrl] = gpuTierUrl;
            }


            var catalog = FunctionCatalog.FromAssembly(options.FunctionsAssembly);
            builder.WebHost.UseUrls(options.Url);

            // Stopped by DisposeAsync after the app has stopped, not as a hosted service: the app's services (the
            // monitoring and experiment flushers, the engine's leases) write to storage while they stop, so Azurite
            // must outlive them, and hosted-service stop order did not guarantee it (it was seen stopping first).
            owned = new OwnedServices(engine, azurite, bootLoggers);
            builder.Services.AddSingleton(clients);
            builder.Services.AddSingleton<Stratus.Functions.Http.IDurableHttpLinks, LocalDurableHttpLinks>();
            builder.Services.AddStratus(builder.Configuration);
            builder.Services.AddSingleton(catalog);
            builder.Services.AddSingleton<KeyAuthorization>();
            builder.Services.AddSingleton<DemoModelSeeder>();
            builder.Services.AddHostedService<TimerFunctionHost>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
            IServiceProvider? root = null;
            var channel = engine.Channel;
            var converter = new Microsoft.DurableTask.Converters.JsonDataConverter(Stratus.Core.Http.StratusJson.Options);
            builder.Services.Configure<DurableTaskWorkerOptions>(o => o.DataConverter = converter);
            builder.Services.Configure<DurableTaskClientOptions>(o => o.DataConverter = converter);
            builder.Services.AddDurableTaskWorker(w =>
            {
                w.UseGrpc(channel);
                w.AddTasks(r => DurableFunctionRegistry.Register(r, catalog, () => root!));
            });
            builder.Services.AddDurableTaskClient(c =>
            {
                c.UseGrpc(channel);
                c.RegisterDirectly();
            });

            var app = built = builder.Build();
            root = app.Services;
            HttpFunctionEndpoints.Map(app, catalog);
            DurableHttpEndpoints.Map(app);

            // Readiness (/v2/health/ready) says 503 until the demo models are trained and the GPU tier serves; liveness is up at once.
            var readiness = app.Services.GetRequiredService<StartupReadiness>();
            readiness.Wait(options.SeedDemoModels ? "training the demo models" : "starting");
            await app.StartAsync(cancellationToken);
            if (options.SeedDemoModels)
            {
                // After start: the demo models are trained by the orchestration, which needs the worker running.
                await app.Services.GetRequiredService<DemoModelSeeder>().SeedIfEmptyAsync(options.Root, cancellationToken);
            }

            if (!options.Join && gpuTierUrl is { } tierUrl)
            {
                readiness.Wait("starting the GPU tier");
                owned.Tier = await StartGpuTierAsync(options.Root, tierUrl, app.Configuration, app.Services.GetRequiredService<TimeProvider>(), log, cancellationToken);
                if (owned.Tier is { } tier)
                {
                    readiness.Wait("warming the GPU tier's models");
                    try
                    {
                        await tier.WaitUntilReadyAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                    {
                        // Slow, or it exited while warming up (the supervisor starts it again): the platform is ready without it.
                        log.LogWarning("{Reason}; ready without it, gpu-tier models answer 503 until it is", e.Message);
                    }
                }
            }

            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            app.Logger.LogInformation("Stratus has {Functions} functions: {Http} HTTP, {Timers} timers, {Orchestrators} orchestrators, {Activities} activities",
                catalog.Functions.Count, catalog.Http.Count(), catalog.Timers.Count(), catalog.Orchestrators.Count(), catalog.Activities.Count());
            readiness.Ready();
            app.Logger.LogInformation("Stratus is ready at {Address} (dashboard {Dashboard}, GPU tier {GpuTier}, instance {Instance}{Joined})",
                address, new Uri(address, Routes.DashboardRoot), gpuTierUrl ?? app.Configuration[GpuTierBaseUrl] ?? "none",
                app.Services.GetRequiredService<Stratus.Reliability.Recording.InstanceIdentity>().Id, options.Join ? ", joined" : "");
            return new LocalRunnerHost(app, address, owned);
        }
        catch
        {
            if (built is not null)
            {
                await built.DisposeAsync();
            }

            if (owned is not null)
            {
                // The GPU tier (if it started), the engine and Azurite.
                await owned.StopAsync();
                throw;
            }

            if (engine is not null)
            {
                await engine.DisposeAsync();
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            bootLoggers.Dispose();
            throw;
        }
    }

    private static readonly string GpuTierBaseUrl = OptionPaths.GpuTierBaseUrl.Key;

    /// <summary>The GPU tier, supervised (restarted when it exits); null when none was started or it could not start.</summary>
    private static async Task<GpuTierSupervisor?> StartGpuTierAsync(string root, string url, IConfiguration configuration, TimeProvider clock, ILogger log, CancellationToken cancellationToken)
    {
        if (GpuTierProcess.FindAssembly(root) is not { } assembly)
        {
            log.LogWarning("The GPU tier is not built (dotnet build Functions.sln); gpu-tier models will answer 503");
            return null;
        }

        try
        {
            return await GpuTierSupervisor.StartAsync(ct => GpuTierProcess.StartAsync(assembly, url, configuration, log, ct), clock, log, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The platform still runs; gpu-tier models answer 503 (or fall back to CPU) as they would with the tier down.
            log.LogError("GPU tier not started: {Reason}", e.Message);
            return null;
        }
    }

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // forced
            }
        }

        await _app.DisposeAsync();
        await _owned.StopAsync();
    }

    /// <summary>Stops what the runner started outside the web app (the GPU tier, the engine, Azurite), once the app has stopped.</summary>
    private sealed class OwnedServices(LocalDurableEngine engine, AzuriteHost? azurite, ILoggerFactory loggers)
    {
        private int _stopped;

        public GpuTierSupervisor? Tier { get; set; }

        public async Task StopAsync()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

            if (Tier is not null)
            {
                try
                {
                    await Tier.DisposeAsync();
                }
                catch (Exception e)
                {
                    // The engine and Azurite must still stop.
                    loggers.CreateLogger<LocalRunnerHost>().LogWarning(e, "Stopping the GPU tier failed");
                }
            }

            try
            {
                // Bounded: if storage is already gone the engine may not stop cleanly; Azurite must stop anyway.
                await engine.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(8), CancellationToken.None);
            }
            catch (TimeoutException)
            {
                loggers.CreateLogger<LocalRunnerHost>().LogWarning("The Durable Task engine did not stop within 8 s; continuing shutdown");
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            loggers.Dispose();
        }
    }
}

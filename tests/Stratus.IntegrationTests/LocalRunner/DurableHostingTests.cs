using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.LocalRunner.Durable;
using Stratus.LocalRunner.Hosting;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>Orchestrator and activity functions run on the local engine over Azure Storage (Azurite) and survive a restart.</summary>
public sealed class DurableHostingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.FromAssembly(typeof(TestFunctions).Assembly);

    [Fact]
    public async Task Orchestrator_functions_fan_out_to_activity_functions()
    {
        await using var engine = await StartAsync("fanout");
        var client = engine.Host.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TestFunctions.TestSumOfSquares), new[] { 1, 2, 3, 4, 5 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorType} {done.FailureDetails?.ErrorMessage} {done.FailureDetails?.StackTrace} {done.SerializedOutput}");
        Assert.Equal(55, done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Orchestration_state_survives_an_engine_restart()
    {
        string id;
        await using (var first = await StartAsync("restart"))
        {
            var client = first.Host.Services.GetRequiredService<DurableTaskClient>();
            id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TestFunctions.TestWaitForEvent));
            using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((await client.GetInstanceAsync(id, started.Token))?.RuntimeStatus != OrchestrationRuntimeStatus.Running)
            {
                await Task.Delay(200, started.Token);
            }

            await Task.Delay(1000, started.Token); // let it pass its activity and start waiting
        }

        await using var second = await StartAsync("restart");
        var resumed = second.Host.Services.GetRequiredService<DurableTaskClient>();
        await resumed.RaiseEventAsync(id, "go", "after-restart");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await resumed.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorType} {done.FailureDetails?.ErrorMessage} {done.FailureDetails?.StackTrace} {done.SerializedOutput}");
        Assert.Equal("9:after-restart", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task An_activity_longer_than_the_visibility_timeout_runs_once()
    {
        // 9 s of work against a 3 s lock: without renewal the queue would hand it out again mid-run.
        await using var engine = await StartAsync("slow", TimeSpan.FromSeconds(3));
        var client = engine.Host.Services.GetRequiredService<DurableTaskClient>();
        var key = Guid.NewGuid().ToString("N");
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TestFunctions.TestSlow), key);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        await Task.Delay(TimeSpan.FromSeconds(4)); // a redelivered copy would have started by now
        Assert.Equal(1, TestFunctions.SlowStarts[key]);
    }

    private async Task<RunningEngine> StartAsync(string hub, TimeSpan? visibility = null)
    {
        var engine = await LocalDurableEngine.StartAsync(
            new DurableEngineOptions(azurite.ConnectionString, "test" + hub) { WorkItemVisibilityTimeout = visibility ?? TimeSpan.FromSeconds(10) },
            NullLoggerFactory.Instance,
            CancellationToken.None);
        IServiceProvider? root = null;
        var host = Host.CreateApplicationBuilder();
        host.Logging.ClearProviders();
        host.Services.AddDurableTaskWorker(w =>
        {
            w.UseGrpc(engine.Channel);
            w.AddTasks(r => DurableFunctionRegistry.Register(r, Catalog, () => root!));
        });
        host.Services.AddDurableTaskClient(c =>
        {
            c.UseGrpc(engine.Channel);
            c.RegisterDirectly();
        });
        var app = host.Build();
        root = app.Services;
        await app.StartAsync();
        return new RunningEngine(engine, app);
    }

    private sealed record RunningEngine(LocalDurableEngine Engine, IHost Host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
            await Engine.DisposeAsync();
        }
    }
}

using System.Threading.Channels;
using Azure.Storage.Queues;
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
    public async Task An_orchestrator_function_fanning_out_to_activity_functions_completes_with_the_sum_of_their_results()
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
    public async Task An_orchestration_stopped_while_waiting_for_an_event_completes_after_an_engine_restart_with_its_earlier_activity_result()
    {
        string id;
        await using (var first = await StartAsync("restart"))
        {
            var client = first.Host.Services.GetRequiredService<DurableTaskClient>();
            id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TestFunctions.TestWaitForEvent));

            // The stored state says the activity's result is in and the orchestration waits for "go": stop it there.
            await Poll.UntilAsync(
                ct => client.GetInstanceAsync(id, getInputsAndOutputs: true, ct),
                state => state?.ReadCustomStatusAs<string>() == TestFunctions.WaitingForGo,
                TimeSpan.FromSeconds(60),
                "the orchestration stored that it waits for the event");
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
    public async Task An_activity_outlasting_its_visibility_timeout_is_started_only_once_while_it_runs_and_after_it_ends()
    {
        // 9 s of work against a 3 s lock: the queue hands the message out again unless its lock is renewed.
        const string hub = "slow";
        var log = new EngineLog();
        await using var engine = await StartAsync(hub, TimeSpan.FromSeconds(3), log);
        var workItems = new QueueClient(azurite.ConnectionString, $"test{hub}-workitems");
        var client = engine.Host.Services.GetRequiredService<DurableTaskClient>();
        var key = Guid.NewGuid().ToString("N");
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TestFunctions.TestSlow), key);

        await TestFunctions.SlowStartedAsync(key).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await MessagesAsync(workItems, CancellationToken.None)); // held (invisible) while the activity runs

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);

        // Every hand-out of the message is a chance for a second start. Wait for proof that none can be missed: either
        // the message is gone (no copy can start any more; a copy handed out earlier would have started before, as the
        // first run's delete fails once its receipt is stale), or a hand-out after the run ended was refused by the
        // engine as a message already in progress. (Observed with this engine: the lock is not renewed, the message is
        // handed out again every few seconds and refused, and after the run its delete fails, so it is never deleted.)
        var ended = log.Refusals;
        using var settled = new CancellationTokenSource();
        var deleted = Poll.UntilAsync(ct => MessagesAsync(workItems, ct), count => count == 0, TimeSpan.FromSeconds(60), "the activity's queue message was deleted", settled.Token);
        var refused = log.WaitForRefusalAfterAsync(ended, settled.Token);
        var first = await Task.WhenAny(deleted, refused).WaitAsync(TimeSpan.FromSeconds(60));
        await settled.CancelAsync();
        await first; // a timeout surfaces here
        Assert.Equal(1, TestFunctions.SlowStarts[key]);
    }

    /// <summary>Messages in the queue, visible or not (one handed out to a worker is invisible until deleted or its lock lapses).</summary>
    private static async Task<int> MessagesAsync(QueueClient queue, CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    private async Task<RunningEngine> StartAsync(string hub, TimeSpan? visibility = null, ILoggerProvider? log = null)
    {
        var loggers = log is null ? NullLoggerFactory.Instance : LoggerFactory.Create(b => b.AddProvider(log));
        var engine = await LocalDurableEngine.StartAsync(
            new DurableEngineOptions(azurite.ConnectionString, "test" + hub) { WorkItemVisibilityTimeout = visibility ?? TimeSpan.FromSeconds(10) },
            loggers,
            CancellationToken.None);
        IServiceProvider? root = null;
        var host = Host.CreateApplicationBuilder();
        host.Logging.ClearProviders();
        host.Services.AddSingleton(TimeProvider.System).AddSingleton<Stratus.Reliability.Recording.InstanceIdentity>(); // what hosted activities are given
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
        return new RunningEngine(engine, app, loggers);
    }

    /// <summary>
    /// The engine's log, watched for the Azure Storage backend refusing a work-item message it is already processing
    /// (its duplicate check for a message handed out again while a worker has it).
    /// </summary>
    private sealed class EngineLog : ILoggerProvider, ILogger
    {
        private readonly Channel<int> _refusals = Channel.CreateUnbounded<int>();
        private int _count;

        public int Refusals => Volatile.Read(ref _count);

        /// <summary>Completes once a refusal beyond the first <paramref name="seen"/> is logged.</summary>
        public async Task WaitForRefusalAfterAsync(int seen, CancellationToken cancellationToken)
        {
            while (await _refusals.Reader.ReadAsync(cancellationToken) <= seen)
            {
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains("is being processed multiple times concurrently", StringComparison.Ordinal))
            {
                _refusals.Writer.TryWrite(Interlocked.Increment(ref _count));
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed record RunningEngine(LocalDurableEngine Engine, IHost Host, ILoggerFactory Loggers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync();
            Host.Dispose();
            await Engine.DisposeAsync();
            Loggers.Dispose();
        }
    }
}

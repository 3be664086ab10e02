using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Stratus.Reliability;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Reliability.Recording;

namespace Stratus.Tests.Unit.Reliability;

public sealed class MonitoringFlusherTests
{
    private static readonly MonitoringReference Reference = MonitoringReference.Build(["x"], Enumerable.Range(0, 100).Select(i => (IReadOnlyList<string?>)[i.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToArray());

    [Fact]
    public async Task Each_flush_interval_writes_the_instances_cumulative_window_counts()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), clock);
        var written = new TaskCompletionSource<WindowCounts>(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new Mock<IMonitoringStore>();
        store.Setup(s => s.WriteAsync("m", 1, It.IsAny<DateTimeOffset>(), "instance-a", It.IsAny<WindowCounts>(), It.IsAny<CancellationToken>()))
            .Callback((string _, int _, DateTimeOffset _, string _, WindowCounts counts, CancellationToken _) => written.TrySetResult(counts))
            .Returns(Task.CompletedTask);
        using var flusher = Flusher(recorder, store.Object, clock, flushSeconds: 60);
        recorder.Record("m", 1, Reference, _ => (null, 42));
        recorder.Record("m", 1, Reference, _ => (null, 7));

        await flusher.StartAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(written.Task.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var counts = await written.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, counts.Rows);
        Assert.Equal(2, counts.Bins["x"].Sum());
        await flusher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_ended_window_stays_in_memory_until_a_flush_stored_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.Zero));
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), clock);
        var store = new Mock<IMonitoringStore>();
        store.SetupSequence(s => s.WriteAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<DateTimeOffset>(), It.IsAny<string>(), It.IsAny<WindowCounts>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("storage down"))
            .Returns(Task.CompletedTask);
        using var flusher = Flusher(recorder, store.Object, clock, flushSeconds: 60);
        recorder.Record("m", 1, Reference, _ => (null, 1));
        clock.Advance(TimeSpan.FromHours(1)); // the 10:00 window has ended

        await Assert.ThrowsAsync<IOException>(() => flusher.FlushAsync(CancellationToken.None));
        Assert.Single(recorder.Snapshot());

        await flusher.FlushAsync(CancellationToken.None);
        Assert.Empty(recorder.Snapshot());
    }

    private static readonly ReliabilityTelemetry Telemetry = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private static MonitoringFlusher Flusher(WindowRecorder recorder, IMonitoringStore store, TimeProvider clock, int flushSeconds) =>
        new(recorder, store, new InstanceIdentity("instance-a"), Telemetry, Options.Create(new StratusOptions { Monitoring = { FlushSeconds = flushSeconds } }), clock, NullLogger<MonitoringFlusher>.Instance);
}

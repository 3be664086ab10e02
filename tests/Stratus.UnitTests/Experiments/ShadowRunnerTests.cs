using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;
using Stratus.Core.Models;
using Stratus.Experiments.Shadow;
using Stratus.Experiments.Traffic;
using Stratus.GpuTier.Client;
using Stratus.Registry;
using Stratus.Serving;
using Stratus.Serving.Observation;

namespace Stratus.Tests.Unit.Experiments;

/// <summary>Shadow mode's queue: a full queue drops and counts, never waits.</summary>
public sealed class ShadowRunnerTests
{
    [Fact]
    public async Task A_call_arriving_while_the_shadow_queue_is_full_is_dropped_and_counted_without_waiting()
    {
        var events = new Mock<IExperimentEventStore>();
        TrafficSlice? written = null;
        events.Setup(e => e.RecordTrafficAsync("x", It.IsAny<IReadOnlyList<Exposure>>(), It.IsAny<TrafficSlice>(), It.IsAny<CancellationToken>()))
            .Callback((string _, IReadOnlyList<Exposure> _, TrafficSlice t, CancellationToken _) => written = t)
            .Returns(Task.CompletedTask);
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(new Mock<IModelRegistry>().Object)
            .AddSingleton(new Mock<IArtifactStore>().Object)
            .AddSingleton(new Mock<IGpuTierClient>().Object)
            .AddSingleton(events.Object)
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddSingleton<TrafficRecorder>()
            .AddSingleton<ShadowRunner>()
            .AddOptions<StratusOptions>().Services
            .AddStratusServing()
            .BuildServiceProvider();
        var runner = services.GetRequiredService<ShadowRunner>();
        var assignment = new VariantAssignment("x", "control", "u1") { Shadows = [new ShadowTarget("candidate", 2)] };
        var served = new ServedPrediction("m", 1, "r", "rows", ServingTier.Cpu, 1, [], [], DateTimeOffset.UnixEpoch, assignment);

        // Not started, so nothing reads the queue: the first QueueCapacity calls wait in it, the next is dropped.
        for (var i = 0; i <= ShadowRunner.QueueCapacity; i++)
        {
            Assert.True(runner.ObserveAsync(served, CancellationToken.None).AsTask().IsCompletedSuccessfully);
        }

        await services.GetRequiredService<TrafficRecorder>().FlushAsync(CancellationToken.None);
        Assert.Equal(1, written?.ShadowDropped);
    }
}

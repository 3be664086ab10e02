using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;
using Stratus.Core.Models;
using Stratus.Experiments.Assignment;
using Stratus.Experiments.Traffic;
using Stratus.Experiments.Results;
using Stratus.Experiments.Routing;
using Stratus.Registry;

namespace Stratus.Tests.Unit.Experiments;

/// <summary>Routing through the experiment selector, its cache of running experiments, exposure recording and per-unit aggregation.</summary>
public sealed class ExperimentRoutingTests
{
    private static readonly ModelCard Card = new() { Name = "m", Aliases = new Dictionary<string, int> { [Aliases.Champion] = 1 } };

    private static readonly Experiment Running = new()
    {
        Model = "m",
        Name = "launch",
        Id = "m/launch/1",
        Variants = [new ExperimentVariant("control", 1, Aliases.Champion, 0.5), new ExperimentVariant("treatment", 2, null, 0.5)],
        Metric = new ExperimentMetric("signed-up", ExperimentMetric.Binary, ExperimentMetric.Increase),
        MinimumDetectableEffect = 0.1,
        StartedAt = DateTimeOffset.UnixEpoch,
    };

    private readonly Mock<IExperimentStore> _store = new();
    private readonly FakeTimeProvider _clock = new();

    private ExperimentVersionSelector Selector() =>
        new(new AliasVersionSelector(), new RunningExperiments(_store.Object, Options.Create(new StratusOptions()), _clock, NullLogger<RunningExperiments>.Instance));

    [Fact]
    public async Task A_unit_is_served_by_its_hashed_variant_and_a_call_without_a_unit_by_control()
    {
        _store.Setup(s => s.RunningAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(Running);
        var selector = Selector();

        foreach (var unit in Enumerable.Range(0, 50).Select(i => $"u{i}"))
        {
            var choice = await selector.SelectAsync(Card, new ServingTarget(null, null, unit), CancellationToken.None);
            var expected = Running.Variants[VariantAssigner.Assign(Running.Id, unit, [0.5, 0.5])];
            Assert.Equal((expected.Version, new VariantAssignment(Running.Id, expected.Name, unit)), (choice.Version, choice.Assignment));
        }

        var anonymous = await selector.SelectAsync(Card, ServingTarget.Default, CancellationToken.None);
        Assert.Equal((1, new VariantAssignment(Running.Id, "control", null)), (anonymous.Version, anonymous.Assignment));
    }

    [Fact]
    public async Task A_named_version_or_alias_is_served_as_named_without_asking_for_the_experiment()
    {
        var selector = Selector();

        Assert.Equal(new VersionChoice(2), await selector.SelectAsync(Card, new ServingTarget(2, null, "u1"), CancellationToken.None));
        Assert.Equal(new VersionChoice(1), await selector.SelectAsync(Card, new ServingTarget(null, Aliases.Champion, "u1"), CancellationToken.None));
        _store.Verify(s => s.RunningAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_new_selector_as_after_a_restart_gives_every_unit_the_variant_it_had()
    {
        _store.Setup(s => s.RunningAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(Running);
        var (before, after) = (Selector(), Selector());

        foreach (var unit in Enumerable.Range(0, 1000).Select(i => $"user-{i}"))
        {
            var target = new ServingTarget(null, null, unit);
            Assert.Equal(await before.SelectAsync(Card, target, CancellationToken.None), await after.SelectAsync(Card, target, CancellationToken.None));
        }
    }

    [Fact]
    public async Task The_running_experiment_is_read_once_per_card_cache_interval()
    {
        _store.Setup(s => s.RunningAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(Running);
        var selector = Selector();

        for (var i = 0; i < 5; i++)
        {
            await selector.SelectAsync(Card, ServingTarget.Default, CancellationToken.None);
        }

        _store.Verify(s => s.RunningAsync("m", It.IsAny<CancellationToken>()), Times.Once);
        _clock.Advance(TimeSpan.FromSeconds(new ServingOptions().CardCacheSeconds));
        await selector.SelectAsync(Card, ServingTarget.Default, CancellationToken.None);
        _store.Verify(s => s.RunningAsync("m", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task Past_half_the_cache_interval_callers_route_with_the_experiment_they_have_while_one_background_read_refreshes_it()
    {
        var refresh = new TaskCompletionSource<Experiment?>();
        _store.SetupSequence(s => s.RunningAsync("m", It.IsAny<CancellationToken>()))
            .ReturnsAsync(Running)
            .Returns(refresh.Task);
        var selector = Selector();
        await selector.SelectAsync(Card, ServingTarget.Default, CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(new ServingOptions().CardCacheSeconds / 2.0));
        for (var i = 0; i < 3; i++)
        {
            var call = selector.SelectAsync(Card, new ServingTarget(null, null, "unit-1"), CancellationToken.None).AsTask();
            Assert.True(call.IsCompleted); // not waiting on the read under way
            Assert.NotNull((await call).Assignment);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_store.Invocations.Count < 2)
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }

        refresh.SetResult(null); // the experiment ended elsewhere
        while ((await selector.SelectAsync(Card, ServingTarget.Default, CancellationToken.None)).Assignment is not null)
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }

        _store.Verify(s => s.RunningAsync("m", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_failed_refresh_keeps_routing_with_the_last_known_experiment()
    {
        _store.SetupSequence(s => s.RunningAsync("m", It.IsAny<CancellationToken>()))
            .ReturnsAsync(Running)
            .ThrowsAsync(new IOException("storage unreachable"));
        var selector = Selector();
        var target = new ServingTarget(null, null, "u1");
        var first = await selector.SelectAsync(Card, target, CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(first, await selector.SelectAsync(Card, target, CancellationToken.None));
        Assert.NotNull(first.Assignment);
    }

    [Fact]
    public async Task A_model_whose_experiment_cannot_be_read_is_served_by_its_champion_and_storage_is_asked_again_a_second_later()
    {
        _store.SetupSequence(s => s.RunningAsync("m", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("storage unreachable"))
            .ReturnsAsync(Running);
        var selector = Selector();
        var target = new ServingTarget(null, null, "u1");

        Assert.Equal(new VersionChoice(1), await selector.SelectAsync(Card, target, CancellationToken.None));
        Assert.Equal(new VersionChoice(1), await selector.SelectAsync(Card, target, CancellationToken.None));
        _store.Verify(s => s.RunningAsync("m", It.IsAny<CancellationToken>()), Times.Once);

        _clock.Advance(RunningExperiments.RetryAfterFailure);
        Assert.NotNull((await selector.SelectAsync(Card, target, CancellationToken.None)).Assignment);
    }

    [Fact]
    public async Task Each_unit_is_written_once_however_often_it_is_served_and_calls_errors_and_unit_less_calls_are_counted()
    {
        var events = new Mock<IExperimentEventStore>();
        var written = new List<(string Experiment, IReadOnlyList<Exposure> Exposures, TrafficSlice Traffic)>();
        events.Setup(e => e.RecordTrafficAsync(It.IsAny<string>(), It.IsAny<IReadOnlyList<Exposure>>(), It.IsAny<TrafficSlice>(), It.IsAny<CancellationToken>()))
            .Callback((string x, IReadOnlyList<Exposure> e, TrafficSlice t, CancellationToken _) => written.Add((x, e, t)))
            .Returns(Task.CompletedTask);
        var recorder = new TrafficRecorder(events.Object, Options.Create(new StratusOptions()), _clock, NullLogger<TrafficRecorder>.Instance);

        for (var call = 0; call < 3; call++)
        {
            recorder.Record(new VariantAssignment("x", "control", "u1"), TimeSpan.FromMilliseconds(1), failed: false);
            recorder.Record(new VariantAssignment("x", "treatment", "u2"), TimeSpan.FromMilliseconds(8), failed: call == 0);
            recorder.Record(new VariantAssignment("x", "control", null), TimeSpan.FromMilliseconds(1), failed: false);
        }

        await recorder.FlushAsync(CancellationToken.None);
        await recorder.FlushAsync(CancellationToken.None);

        var (experiment, exposures, traffic) = Assert.Single(written);
        Assert.Equal(("x", 3L), (experiment, traffic.Unassigned));
        Assert.Equal([new Exposure("u1", "control"), new Exposure("u2", "treatment")], exposures);
        Assert.Equal((6L, 0L), (traffic.Calls["control"].Calls, traffic.Calls["control"].Errors));
        Assert.Equal((3L, 1L), (traffic.Calls["treatment"].Calls, traffic.Calls["treatment"].Errors));
        Assert.InRange(traffic.Calls["treatment"].LatencyMs(0.99)!.Value, 8, 8 * 1.25);
    }

    [Fact]
    public async Task A_failed_traffic_write_is_retried_at_the_next_flush()
    {
        var events = new Mock<IExperimentEventStore>();
        var written = new List<Exposure>();
        events.Setup(e => e.RecordTrafficAsync("x", It.IsAny<IReadOnlyList<Exposure>>(), It.IsAny<TrafficSlice>(), It.IsAny<CancellationToken>()))
            .Callback((string _, IReadOnlyList<Exposure> e, TrafficSlice _, CancellationToken _) => written.AddRange(e))
            .Returns(() => written.Count == 1 ? Task.FromException(new IOException("storage unreachable")) : Task.CompletedTask);
        var recorder = new TrafficRecorder(events.Object, Options.Create(new StratusOptions()), _clock, NullLogger<TrafficRecorder>.Instance);
        recorder.Record(new VariantAssignment("x", "control", "u1"), TimeSpan.FromMilliseconds(1), failed: false);

        await recorder.FlushAsync(CancellationToken.None);
        await recorder.FlushAsync(CancellationToken.None);

        Assert.Equal([new Exposure("u1", "control"), new Exposure("u1", "control")], written);
        events.Verify(e => e.RecordTrafficAsync("x", It.IsAny<IReadOnlyList<Exposure>>(), It.Is<TrafficSlice>(t => t.Calls["control"].Calls == 1), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public void Latency_quantiles_from_the_buckets_are_within_a_quarter_above_the_exact_ones()
    {
        var stats = new CallStats();
        var latencies = Enumerable.Range(1, 1000).Select(i => i * 0.05).ToArray();
        foreach (var ms in latencies)
        {
            stats.Record(TimeSpan.FromMilliseconds(ms), failed: false);
        }

        foreach (var q in new[] { 0.5, 0.9, 0.99 })
        {
            var exact = latencies[(int)Math.Ceiling(q * latencies.Length) - 1];
            Assert.InRange(stats.LatencyMs(q)!.Value, exact, exact * 1.25);
        }
    }

    [Fact]
    public void A_binary_unit_converts_once_a_continuous_unit_sums_its_values_and_events_of_unexposed_units_are_unattributed()
    {
        var units = new Dictionary<string, string> { ["a"] = "control", ["b"] = "control", ["c"] = "treatment" };
        Outcome[] outcomes = [new("1", "a", 1), new("2", "a", 1), new("3", "c", 0), new("4", "c", 1), new("5", "ghost", 1)];
        var recorded = new ExperimentEvents(units, outcomes, []);

        var (binary, unattributed) = ExperimentResults.Aggregate(Running, recorded);
        var (continuous, _) = ExperimentResults.Aggregate(Running with { Metric = Running.Metric with { Kind = ExperimentMetric.Continuous } }, recorded);

        Assert.Equal(1, unattributed);
        Assert.Equal((2L, 1.0), (binary[0].Units, binary[0].Sum));
        Assert.Equal((1L, 1.0), (binary[1].Units, binary[1].Sum));
        Assert.Equal((2L, 2.0, 4.0), (continuous[0].Units, continuous[0].Sum, continuous[0].SumOfSquares));
    }

    [Fact]
    public void The_history_replays_the_readout_on_the_units_and_outcomes_recorded_by_each_point_and_ends_at_the_full_readout()
    {
        // Two halves an hour apart: control converts 2 of 4 then 4 of 8; treatment 3 of 4 then 7 of 8.
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var units = new Dictionary<string, string>();
        var seen = new Dictionary<string, DateTimeOffset>();
        var outcomes = new List<Outcome>();
        void Unit(string id, string variant, bool converts, DateTimeOffset at)
        {
            units[id] = variant;
            seen[id] = at;
            if (converts)
            {
                outcomes.Add(new Outcome("o-" + id, id, 1) { RecordedAt = at });
            }
        }

        for (var i = 0; i < 8; i++)
        {
            var at = i < 4 ? start : start.AddHours(1);
            Unit($"c{i}", "control", i % 2 == 0, at);
            Unit($"t{i}", "treatment", i is not 3, at);
        }

        var recorded = new ExperimentEvents(units, outcomes, []) { UnitsSeenAt = seen };

        var history = ExperimentResults.History(Running, recorded);

        Assert.Equal(ExperimentResults.HistoryPoints, history.Count);
        Assert.Equal(start.AddHours(1), history[^1].At);
        Assert.Equal(16, history[^1].Units);
        Assert.Equal(7.0 / 8 - 4.0 / 8, history[^1].Lift, 12);
        // Before the second hour only the first half counts: 3/4 − 2/4.
        Assert.Equal(8, history[0].Units);
        Assert.Equal(3.0 / 4 - 2.0 / 4, history[0].Lift, 12);
        Assert.All(history, p => Assert.Equal("treatment", p.Variant));
    }
}

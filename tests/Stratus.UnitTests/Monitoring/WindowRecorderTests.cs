using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Stratus.Monitoring;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>Served rows recorded into windows on the injected clock, then compared with the version's reference.</summary>
public sealed class WindowRecorderTests
{
    private static readonly string[] Lines = File.ReadAllLines(TrainingSpecs.Csv("breast_cancer"));
    private static readonly string[] Names = Lines[0].Split(',')[..^1];
    private static readonly string?[][] Rows = Lines.Skip(1).Select(l => l.Split(',')[..^1].Select(v => (string?)v).ToArray()).ToArray();
    private static readonly MonitoringReference Reference = MonitoringReference.Build(Names, Rows);

    private static void Serve(WindowRecorder recorder, int count, int seed, params string[] shifted)
    {
        var random = new Random(seed);
        var columns = shifted.Select(name => Array.IndexOf(Names, name)).ToHashSet();
        for (var i = 0; i < count; i++)
        {
            var row = Rows[random.Next(Rows.Length)];
            recorder.Record("cancer", 1, Reference, c =>
            {
                var value = double.Parse(row[c]!, CultureInfo.InvariantCulture);
                return (null, columns.Contains(c) ? value + 3 * Spread(c) : value);
            });
        }
    }

    /// <summary>A robust spread: the reference's interquartile range over its fine bins' edges.</summary>
    private static double Spread(int column)
    {
        var edges = Reference.Features[column].Edges!;
        return edges[(int)(edges.Count * 0.75)] - edges[(int)(edges.Count * 0.25)];
    }

    [Fact]
    public void Rows_on_either_side_of_a_window_boundary_land_in_two_windows_and_ended_windows_go_once_flushed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 59, 0, TimeSpan.Zero));
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), clock);
        Serve(recorder, 3, seed: 1);
        clock.Advance(TimeSpan.FromMinutes(2));
        Serve(recorder, 5, seed: 2);

        var first = recorder.Snapshot();
        recorder.Retire(clock.GetUtcNow());

        Assert.Equal([(10, 3L), (11, 5L)], first.OrderBy(w => w.Key.Start).Select(w => (w.Key.Start.Hour, w.Counts.Rows)));
        Assert.Equal([11], recorder.Snapshot().Select(w => w.Key.Start.Hour)); // the 10:00 window was flushed and dropped
    }

    [Fact]
    public void Served_rows_compared_with_the_reference_show_drift_only_on_the_shifted_features()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), clock);
        Serve(recorder, 1000, seed: 3, "mean_radius", "worst_texture");

        var window = Assert.Single(recorder.Snapshot()).Counts;
        var report = Reference.Compare(window, new DriftThresholds());

        Assert.Equal(["mean_radius", "worst_texture"], report.Features.Where(f => f.Drifted).Select(f => f.Feature));
        Assert.Equal(1000, report.Rows);
    }

    [Fact]
    public void Two_instances_recording_apart_compare_exactly_as_one_that_saw_every_row()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var (a, b, both) = (new WindowRecorder(TimeSpan.FromHours(1), clock), new WindowRecorder(TimeSpan.FromHours(1), clock), new WindowRecorder(TimeSpan.FromHours(1), clock));
        Serve(a, 400, seed: 4);
        Serve(b, 300, seed: 5);
        Serve(both, 400, seed: 4);
        Serve(both, 300, seed: 5);

        var merged = a.Snapshot()[0].Counts.Plus(b.Snapshot()[0].Counts);
        var whole = both.Snapshot()[0].Counts;

        Assert.Equal(whole.Rows, merged.Rows);
        Assert.All(Names, n => Assert.Equal(whole.Bins[n], merged.Bins[n]));
    }
}

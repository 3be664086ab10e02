using System.Collections.Concurrent;
using Stratus.Core.Monitoring;

namespace Stratus.Monitoring;

/// <summary>The identity of a recorded window: a model version and the window's start.</summary>
public readonly record struct WindowKey(string Model, int Version, DateTimeOffset Start);

/// <summary>
/// Served rows accumulated in memory, O(bins) per monitored version and window: windows are aligned to
/// <paramref name="window"/> on the injected clock. <see cref="Snapshot"/> hands the flusher each window's
/// cumulative counts (an instance's row is replaced, never added to), and <see cref="Retire"/> drops ended windows once
/// they were stored. Thread-safe: served requests record concurrently.
/// </summary>
public sealed class WindowRecorder(TimeSpan window, TimeProvider clock)
{
    private readonly ConcurrentDictionary<WindowKey, Accumulator> _windows = new();

    /// <summary>Records one served row of feature values (text, or a number when <c>text</c> is null) for the version's reference.</summary>
    public void Record(string model, int version, MonitoringReference reference, Func<int, (string? Text, double Number)> valueOf) =>
        Record(model, version, reference, 1, (_, feature) => valueOf(feature));

    /// <summary>Records <paramref name="rows"/> served rows at once (one window lookup and one lock for all of them).</summary>
    public void Record(string model, int version, MonitoringReference reference, int rows, Func<int, int, (string? Text, double Number)> valueOf)
    {
        var key = new WindowKey(model, version, Start(clock.GetUtcNow()));
        var accumulator = _windows.GetOrAdd(key, static (_, reference) => new Accumulator(reference), reference);
        accumulator.Add(rows, valueOf);
    }

    /// <summary>Every window's counts so far.</summary>
    public IReadOnlyList<(WindowKey Key, WindowCounts Counts)> Snapshot() =>
        _windows.Select(w => (w.Key, w.Value.Counts())).ToArray();

    /// <summary>
    /// Drops the windows that ended by <paramref name="time"/>: call it with the time of a snapshot once that snapshot
    /// was stored (rows are recorded at the clock's time, so an ended window receives none after it).
    /// </summary>
    public void Retire(DateTimeOffset time)
    {
        foreach (var key in _windows.Keys.Where(k => k.Start + window <= time))
        {
            _windows.TryRemove(key, out _);
        }
    }

    /// <summary>The start of the window holding <paramref name="time"/>.</summary>
    public DateTimeOffset Start(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % window.Ticks), TimeSpan.Zero);

    private sealed class Accumulator(MonitoringReference reference)
    {
        private readonly object _gate = new();
        private readonly IFeatureSketch[] _sketches = reference.Features.Select(f => f.NewSketch()).ToArray();
        private long _rows;

        public void Add(int rows, Func<int, int, (string? Text, double Number)> valueOf)
        {
            lock (_gate)
            {
                for (var row = 0; row < rows; row++)
                {
                    for (var i = 0; i < _sketches.Length; i++)
                    {
                        var (text, number) = valueOf(row, i);
                        _sketches[i].Add(text, number);
                    }
                }

                _rows += rows;
            }
        }

        public WindowCounts Counts()
        {
            lock (_gate)
            {
                return new WindowCounts
                {
                    Rows = _rows,
                    Bins = reference.Features.Select((f, i) => (f.Name, Counts: _sketches[i].Counts.ToArray())).ToDictionary(p => p.Name, p => p.Counts, StringComparer.Ordinal),
                    Missing = reference.Features.Select((f, i) => (f.Name, _sketches[i].Missing)).ToDictionary(p => p.Name, p => p.Missing, StringComparer.Ordinal),
                };
            }
        }
    }
}

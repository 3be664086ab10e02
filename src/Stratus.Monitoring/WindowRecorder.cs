using System.Collections.Concurrent;
using Stratus.Core.Monitoring;
using Stratus.Monitoring.Sketches;

namespace Stratus.Monitoring;

/// <summary>The identity of a recorded window: a model version and the window's start.</summary>
public readonly record struct WindowKey(string Model, int Version, DateTimeOffset Start, string Reference = "");

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
    public void Record(string model, int version, MonitoringReference reference, Func<int, (string? Text, double Number)> valueOf)
    {
        var width = reference.Features.Count;
        var numbers = new double[width];
        var texts = new string?[width];
        for (var i = 0; i < width; i++)
        {
            (texts[i], numbers[i]) = valueOf(i);
        }

        Record(model, version, reference, 1, numbers, texts);
    }

    /// <summary>
    /// Records <paramref name="rows"/> served rows at once, row-major over the reference's features: a numeric feature
    /// reads <paramref name="numbers"/> (NaN is missing) unless <paramref name="texts"/> holds text for it, a categorical
    /// one reads <paramref name="texts"/> (null is missing). One window lookup and one lock for all rows: this runs
    /// for every served row.
    /// </summary>
    /// <param name="sums">Values for the reference's <see cref="MonitoringReference.Sums"/> sketches, recorded under the same lock.</param>
    public void Record(string model, int version, MonitoringReference reference, int rows, ReadOnlySpan<double> numbers, ReadOnlySpan<string?> texts, ReadOnlySpan<Estimation.SumPoint> sums = default)
    {
        var key = new WindowKey(model, version, Start(clock.GetUtcNow()), reference.Id);
        var accumulator = _windows.GetOrAdd(key, static (_, reference) => new Accumulator(reference), reference);
        accumulator.Add(rows, numbers, texts, sums);
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

    /// <summary>True while the window is held in memory (not yet retired).</summary>
    public bool Holds(WindowKey key) => _windows.ContainsKey(key);

    /// <summary>The start of the window holding <paramref name="time"/>.</summary>
    public DateTimeOffset Start(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % window.Ticks), TimeSpan.Zero);

    private sealed class Accumulator(MonitoringReference reference)
    {
        private readonly object _gate = new();
        private readonly NumericSketch?[] _numeric = reference.Features.Select(f => f.Kind == DriftEvaluator.Numeric ? new NumericSketch(f.Edges!) : null).ToArray();
        private readonly CategoricalSketch?[] _categorical = reference.Features.Select(f => f.Kind == DriftEvaluator.Numeric ? null : new CategoricalSketch(f.Categories!)).ToArray();
        private readonly long[][] _sumCounts = reference.Sums.Select(s => new long[s.Bins]).ToArray();
        private readonly double[][] _sumTotals = reference.Sums.Select(s => new double[s.Bins]).ToArray();
        private long _rows;

        public void Add(int rows, ReadOnlySpan<double> numbers, ReadOnlySpan<string?> texts, ReadOnlySpan<Estimation.SumPoint> sums)
        {
            var width = _numeric.Length;
            lock (_gate)
            {
                for (var row = 0; row < rows; row++)
                {
                    var offset = row * width;
                    for (var i = 0; i < width; i++)
                    {
                        var text = texts.IsEmpty ? null : texts[offset + i];
                        if (_numeric[i] is { } numeric)
                        {
                            numeric.Add(text is null ? numbers[offset + i] : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN);
                        }
                        else
                        {
                            _categorical[i]!.Add(text ?? (double.IsNaN(numbers[offset + i]) ? null : numbers[offset + i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        }
                    }
                }

                foreach (var point in sums)
                {
                    _sumCounts[point.Sketch][point.Bin]++;
                    _sumTotals[point.Sketch][point.Bin] += point.Value;
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
                    Reference = reference.Id,
                    Bins = reference.Features.Select((f, i) => (f.Name, Counts: (_numeric[i]?.Counts ?? _categorical[i]!.Counts).ToArray())).ToDictionary(p => p.Name, p => p.Counts, StringComparer.Ordinal),
                    Missing = reference.Features.Select((f, i) => (f.Name, Missing: _numeric[i]?.Missing ?? _categorical[i]!.Missing)).ToDictionary(p => p.Name, p => p.Missing, StringComparer.Ordinal),
                    SumCounts = reference.Sums.Select((s, i) => (s.Name, Counts: _sumCounts[i].ToArray())).ToDictionary(p => p.Name, p => p.Counts, StringComparer.Ordinal),
                    Sums = reference.Sums.Select((s, i) => (s.Name, Totals: _sumTotals[i].ToArray())).ToDictionary(p => p.Name, p => p.Totals, StringComparer.Ordinal),
                };
            }
        }
    }
}

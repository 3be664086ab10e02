using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stratus.Core.Diagnostics;

namespace Stratus.Serving;

/// <summary>OpenTelemetry instruments for serving; exported by whatever metrics pipeline the host configures.</summary>
public sealed class ServingTelemetry : IDisposable
{
    public const string MeterName = StratusMeters.Serving;

    private readonly Meter _meter;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _predictions;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _evictions;
    private readonly Histogram<int> _batchRows;

    /// <summary>Observations dropped because the observers' queue was full.</summary>
    public Counter<long> ObservationsDropped { get; }

    public ServingTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _latency = _meter.CreateHistogram<double>("stratus.predict.duration", "ms", "Time to serve one predict or infer call, per model.");
        _predictions = _meter.CreateCounter<long>("stratus.predict.rows", "{row}", "Rows predicted, per model and version.");
        _cacheLookups = _meter.CreateCounter<long>("stratus.session_cache.lookups", "{lookup}", "Session cache lookups; tag hit=true|false.");
        _evictions = _meter.CreateCounter<long>("stratus.session_cache.evictions", "{session}", "Sessions evicted under the memory budget.");
        ObservationsDropped = _meter.CreateCounter<long>("stratus.observations.dropped", "{observation}", "Served predictions not handed to observers because their queue was full.");
        _batchRows = _meter.CreateHistogram<int>("stratus.tier.batch_rows", "{row}", "Rows per session call on the GPU tier (dynamic batching merges requests).");
    }

    public void RecordPrediction(string model, int version, string protocol, int rows, TimeSpan elapsed)
    {
        var tags = new TagList { { "model", model }, { "version", version }, { "protocol", protocol } };
        _latency.Record(elapsed.TotalMilliseconds, tags);
        _predictions.Add(rows, tags);
    }

    private static readonly object Hit = true;
    private static readonly object Miss = false;

    public void RecordCacheLookup(string model, bool hit) =>
        _cacheLookups.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("hit", hit ? Hit : Miss));

    public void RecordBatch(string model, int rows) => _batchRows.Record(rows, new KeyValuePair<string, object?>("model", model));

    public void RecordEviction(string model) => _evictions.Add(1, new KeyValuePair<string, object?>("model", model));

    public void Dispose() => _meter.Dispose();
}

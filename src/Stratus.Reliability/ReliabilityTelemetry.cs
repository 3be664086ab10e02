using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stratus.Core.Diagnostics;

namespace Stratus.Reliability;

/// <summary>OpenTelemetry instruments for monitoring: drift per feature, rows recorded, feedback and alerts.</summary>
public sealed class ReliabilityTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly Gauge<double> _psi;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _feedback;
    private readonly Counter<long> _alerts;

    public ReliabilityTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(StratusMeters.Monitoring);
        _psi = _meter.CreateGauge<double>("stratus.monitoring.psi", null, "PSI of a feature or output against the version's reference, at the last evaluation.");
        _rows = _meter.CreateCounter<long>("stratus.monitoring.rows", "{row}", "Served rows recorded into monitoring windows.");
        _feedback = _meter.CreateCounter<long>("stratus.monitoring.feedback", "{item}", "Feedback items; tag outcome=accepted|duplicate|unknown.");
        _alerts = _meter.CreateCounter<long>("stratus.monitoring.alerts", "{alert}", "Monitoring alerts raised, per model and action.");
        LogDropped = _meter.CreateCounter<long>("stratus.monitoring.log_dropped", "{row}", "Prediction log rows dropped because the write queue was full.");
    }

    public Counter<long> LogDropped { get; }

    public void RecordPsi(string model, int version, string feature, double psi) =>
        _psi.Record(psi, new TagList { { "model", model }, { "version", version }, { "feature", feature } });

    public void RecordRows(string model, int version, int rows) =>
        _rows.Add(rows, new TagList { { "model", model }, { "version", version } });

    public void RecordFeedback(string model, string outcome, int count)
    {
        if (count > 0)
        {
            _feedback.Add(count, new TagList { { "model", model }, { "outcome", outcome } });
        }
    }

    public void RecordAlert(string model, int version, string action) =>
        _alerts.Add(1, new TagList { { "model", model }, { "version", version }, { "action", action } });

    public void Dispose() => _meter.Dispose();
}

namespace Stratus.Core.Monitoring;

/// <summary>A logged prediction joined with its ground truth (<see cref="TrueLabel"/> or <see cref="TrueValue"/>).</summary>
public sealed record LabelledPrediction(LoggedPrediction Prediction, string? TrueLabel, double? TrueValue, DateTimeOffset ReceivedAt);

/// <summary>
/// Ground truth per model version and window. Each (request id, row) is stored once: adding it again is reported as a
/// duplicate and changes nothing, so retried feedback never double-counts.
/// </summary>
public interface IFeedbackStore
{
    /// <summary>False when this row's label was already recorded.</summary>
    Task<bool> TryAddAsync(LabelledPrediction feedback, DateTimeOffset windowStart, CancellationToken cancellationToken);

    /// <summary>The labelled rows of the version's windows starting in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    IAsyncEnumerable<LabelledPrediction> ReadAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

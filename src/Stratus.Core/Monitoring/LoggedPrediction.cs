namespace Stratus.Core.Monitoring;

/// <summary>
/// One served row in the prediction log, as feedback joins it: which version served it, when, and what it answered
/// (<see cref="Label"/> for classifiers, with <see cref="Scores"/> per class when the model gives them; <see cref="Value"/> for regression).
/// </summary>
public sealed record LoggedPrediction(
    string Model,
    int Version,
    string RequestId,
    int Index,
    string Instance,
    DateTimeOffset ServedAt,
    string? Label,
    IReadOnlyList<double>? Scores,
    double? Value);

/// <summary>
/// The prediction log: a sample of served rows kept for <c>PredictionLogDays</c>, written in batches off the request
/// path and looked up by (model, request id, row index) when labels arrive.
/// </summary>
public interface IPredictionLog
{
    /// <summary>An empty batch: rows are encoded as they are added, so a batch holds bytes, not row objects.</summary>
    IPredictionLogBatch NewBatch();

    Task WriteAsync(IPredictionLogBatch batch, CancellationToken cancellationToken);

    /// <summary>The logged row, searching back from today to <paramref name="oldest"/>; null when it was never logged (or has expired).</summary>
    Task<LoggedPrediction?> FindAsync(string model, string requestId, int index, DateOnly oldest, CancellationToken cancellationToken);

    /// <summary>Deletes the log of every day before <paramref name="oldestKept"/>; answers how many days were deleted.</summary>
    Task<int> DeleteBeforeAsync(DateOnly oldestKept, CancellationToken cancellationToken);
}

/// <summary>Rows waiting to be written, already in the log's storage format. Not thread-safe: one writer fills it.</summary>
public interface IPredictionLogBatch : IDisposable
{
    void Add(LoggedPrediction entry);

    int Rows { get; }

    long Bytes { get; }
}

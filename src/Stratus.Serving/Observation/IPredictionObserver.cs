namespace Stratus.Serving.Observation;

/// <summary>
/// Where monitoring attaches to the served path: every successful predict and V2 infer call, on the CPU and the GPU
/// tier alike, is handed to each observer on a background reader after the response was produced. Observers may do
/// I/O; a slow observer delays only other observations, never a caller.
/// </summary>
public interface IPredictionObserver
{
    ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken);

    /// <summary>False for observers that only care about calls an experiment routed: other calls are then not published for them.</summary>
    bool ObservesAll => true;
}

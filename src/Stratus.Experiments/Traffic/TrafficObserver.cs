using Stratus.Serving.Observation;

namespace Stratus.Experiments.Traffic;

/// <summary>
/// Experiments' traffic comes from the observation hook: a call an experiment routed was served (or failed), so its
/// unit saw its variant, and the variant's calls, errors and latency count it.
/// </summary>
public sealed class TrafficObserver(TrafficRecorder recorder) : IPredictionObserver
{
    public bool ObservesAll => false;

    public ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
    {
        if (prediction.Assignment is { } assignment)
        {
            recorder.Record(assignment, prediction.Elapsed, prediction.Error is not null);
        }

        return ValueTask.CompletedTask;
    }
}

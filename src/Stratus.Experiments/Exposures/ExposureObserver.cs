using Stratus.Serving.Observation;

namespace Stratus.Experiments.Exposures;

/// <summary>Exposures come from the observation hook: a call an experiment routed was served, so its unit saw its variant.</summary>
public sealed class ExposureObserver(ExposureRecorder recorder) : IPredictionObserver
{
    public bool ObservesAll => false;

    public ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
    {
        if (prediction.Assignment is { } assignment)
        {
            recorder.Record(assignment);
        }

        return ValueTask.CompletedTask;
    }
}

using Stratus.Serving.Onnx;

namespace Stratus.Serving;

/// <summary>
/// The one hook on the predict path where monitoring (drift histograms, prediction logs for feedback joins)
/// plugs in. Called synchronously after every successful call: implementations must only enqueue.
/// </summary>
public interface IPredictionObserver
{
    void OnPredicted(in PredictionEvent prediction);
}

public readonly record struct PredictionEvent(
    string Model,
    int Version,
    string RequestId,
    int Rows,
    IReadOnlyList<TensorData> Inputs,
    IReadOnlyList<TensorData> Outputs);

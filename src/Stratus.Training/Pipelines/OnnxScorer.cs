using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Training;

namespace Stratus.Training.Pipelines;

/// <summary>Scores holdout rows with an exported model in ONNX Runtime: what the platform will actually serve.</summary>
internal sealed class OnnxScorer(byte[] onnx) : IDisposable
{
    private readonly InferenceSession _session = new(onnx);

    /// <summary>Binary: P(true) per row; multiclass: n × classes scores, row-major; regression: the prediction per row.</summary>
    public sealed record Scores(float[] Values, int PerRow);

    public bool Accepts(TrainingSpec spec) =>
        spec.Features.All(f => _session.InputMetadata.TryGetValue(f.Name, out var m) && m.IsString == (f.Type != DatasetColumn.Number))
        && _session.InputMetadata.Count == spec.Features.Count;

    public Scores Score(Holdout holdout)
    {
        var inputs = new List<OrtValue>();
        try
        {
            foreach (var (feature, values) in holdout.Features)
            {
                inputs.Add(values is float[] numbers
                    ? OrtValue.CreateTensorValueFromMemory(numbers, [holdout.Count, 1])
                    : OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>((string[])values, [holdout.Count, 1])));
            }

            var output = _session.OutputNames.FirstOrDefault(n => n.StartsWith("Probability", StringComparison.Ordinal))
                ?? _session.OutputNames.First(n => n.StartsWith("Score", StringComparison.Ordinal));
            using var results = _session.Run(new RunOptions(), holdout.Features.Select(f => f.Feature.Name).ToArray(), inputs, [output]);
            var scores = results[0].GetTensorDataAsSpan<float>().ToArray();
            return new Scores(scores, holdout.Count == 0 ? 0 : scores.Length / holdout.Count);
        }
        finally
        {
            inputs.ForEach(i => i.Dispose());
        }
    }

    /// <summary>The friendly prediction keys for this task, mapped to the model's output names.</summary>
    public IReadOnlyDictionary<string, string> FriendlyOutputs(ModelTask task)
    {
        string Find(string prefix) => _session.OutputNames.First(n => n.StartsWith(prefix, StringComparison.Ordinal));
        return task switch
        {
            ModelTask.BinaryClassification => new Dictionary<string, string> { ["label"] = Find("PredictedLabel"), ["probability"] = Find("Probability") },
            ModelTask.MulticlassClassification => new Dictionary<string, string> { ["label"] = Find("PredictedLabel"), ["probabilities"] = Find("Score") },
            _ => new Dictionary<string, string> { ["value"] = Find("Score") },
        };
    }

    public void Dispose() => _session.Dispose();
}

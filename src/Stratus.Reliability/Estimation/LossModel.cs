using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Monitoring;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.Estimation;

/// <summary>
/// One DLE loss model, loaded into ONNX Runtime: one input per feature (as the training layer exports models) plus the
/// prediction, and the predicted loss out, clipped at 0 as NannyML clips it. Runs on the observation reader only.
/// </summary>
public sealed class LossModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _output;

    public LossModel(byte[] onnx)
    {
        _session = new InferenceSession(onnx);
        _output = _session.OutputMetadata.Keys.FirstOrDefault(n => n.StartsWith("Score", StringComparison.Ordinal)) ?? _session.OutputMetadata.Keys.First();
    }

    /// <summary>The predicted loss of one row: its feature values (text, or a number) in column order, and the prediction.</summary>
    public double Predict(FeatureColumns columns, Func<int, (string? Text, double Number)> value, double prediction)
    {
        var inputs = new List<NamedOnnxValue>(columns.Names.Count + 1);
        for (var c = 0; c < columns.Names.Count; c++)
        {
            var (text, number) = value(c);
            inputs.Add(columns.IsText(c)
                ? NamedOnnxValue.CreateFromTensor(columns.Names[c], new DenseTensor<string>(new[] { text ?? "" }, [1, 1]))
                : NamedOnnxValue.CreateFromTensor(columns.Names[c], new DenseTensor<float>(new[] { (float)number }, [1, 1])));
        }

        inputs.Add(NamedOnnxValue.CreateFromTensor(LossModelInputs.Prediction, new DenseTensor<float>(new[] { (float)prediction }, [1, 1])));
        using var results = _session.Run(inputs, [_output]);
        return Math.Max(0, results[0].AsEnumerable<float>().First());
    }

    public void Dispose() => _session.Dispose();
}

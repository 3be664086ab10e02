using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Serving.Onnx;

namespace Stratus.GpuTier.Hosting;

/// <summary>Zero-filled inputs of a given batch size, to run a model once before it takes traffic.</summary>
public static class WarmUpInputs
{
    public static IReadOnlyList<TensorData> Create(LoadedModel model, int rows) =>
        model.Inputs.Select(slot =>
        {
            // Symbolic dimensions other than the batch get 1: warm-up only has to exercise the graph.
            // A fixed leading dimension keeps its size.
            var shape = slot.Dimensions.Length == 0 ? [rows] : slot.Dimensions.Select((d, i) => i == 0 && d <= 0 ? rows : Math.Max(1, d)).ToArray();
            var data = TensorData.Allocate(slot.Type, (int)shape.Aggregate(1L, (a, d) => a * d));
            if (slot.Type == TensorElementType.String)
            {
                Array.Fill((string[])data, string.Empty);
            }

            return new TensorData(slot.Name, slot.Type, shape, data);
        }).ToArray();
}

using Stratus.Serving.Onnx;

namespace Stratus.Serving.Batching;

/// <summary>Tensors cut and joined along their batch (first) dimension.</summary>
public static class RowTensors
{
    /// <summary>Runs a model whose batch dimension is fixed at 1 once per row and joins the outputs in row order.</summary>
    public static IReadOnlyList<TensorData> RunRowByRow(Func<IReadOnlyList<TensorData>, IReadOnlyList<TensorData>> run, IReadOnlyList<TensorData> inputs)
    {
        var rows = inputs.Count > 0 && inputs[0].Shape.Length > 0 ? (int)inputs[0].Shape[0] : 1;
        var perRow = new List<IReadOnlyList<TensorData>>(rows);
        for (var r = 0; r < rows; r++)
        {
            perRow.Add(run(inputs.Select(t => SliceRows(t, r, 1)).ToArray()));
        }

        return perRow[0].Select((_, o) => ConcatRows(perRow.Select(p => p[o]).ToArray())).ToArray();
    }

    public static TensorData ConcatRows(IReadOnlyList<TensorData> parts)
    {
        var first = parts[0];
        var data = TensorData.Allocate(first.Type, (int)parts.Sum(p => p.ElementCount));
        var at = 0;
        foreach (var part in parts)
        {
            Array.Copy(part.Data, 0, data, at, part.Data.Length);
            at += part.Data.Length;
        }

        var shape = first.Shape.Length == 0 ? [parts.Count] : (long[])first.Shape.Clone();
        if (first.Shape.Length > 0)
        {
            shape[0] = parts.Sum(p => p.Shape[0]);
        }

        return first with { Shape = shape, Data = data };
    }

    public static TensorData SliceRows(TensorData tensor, int offset, int rows)
    {
        var perRow = (int)(tensor.ElementCount / tensor.Shape[0]);
        var data = TensorData.Allocate(tensor.Type, perRow * rows);
        Array.Copy(tensor.Data, (long)offset * perRow, data, 0, (long)perRow * rows);
        var shape = (long[])tensor.Shape.Clone();
        shape[0] = rows;
        return tensor with { Shape = shape, Data = data };
    }
}

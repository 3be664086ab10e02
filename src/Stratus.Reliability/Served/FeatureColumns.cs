using Stratus.Core.Models;
using Stratus.Serving.Onnx;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.Served;

/// <summary>
/// A version's features as monitoring names them: the flat row the predict API binds (the card's feature names, or
/// the input names when each input holds one value, else <c>input[k]</c>), read back from any set of input tensors —
/// predict's, or a V2 call's in whatever order it sent them.
/// </summary>
public sealed class FeatureColumns
{
    private readonly InputLayout _layout;
    private readonly (int Slot, int Inner)[] _columns;

    public FeatureColumns(ModelVersion version, IReadOnlyList<string>? cardFeatures)
    {
        _layout = new InputLayout(version);
        Tabular = _layout.UnbindableInput is null && _layout.RowWidth > 0;
        var names = _layout.GetFeatureIndex(cardFeatures)?.Names;
        var columns = new List<(int, int)>();
        var generated = new List<string>();
        for (var s = 0; s < _layout.Inputs.Count; s++)
        {
            var input = _layout.Inputs[s];
            for (var k = 0; k < input.RowWidth; k++)
            {
                columns.Add((s, k));
                generated.Add(input.RowWidth == 1 ? input.Name : $"{input.Name}[{k}]");
            }
        }

        _columns = [.. columns];
        Names = names ?? generated;
    }

    /// <summary>False for models whose inputs are not rows of values (images, sequences): those are not monitored.</summary>
    public bool Tabular { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>True when column <paramref name="column"/> belongs to a string input (a categorical feature).</summary>
    public bool IsText(int column) => _layout.Inputs[_columns[column].Slot].Type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String;

    /// <summary>The input tensors in this layout's order, matched by name; null where a call did not send one.</summary>
    public TensorData?[] Align(IReadOnlyList<TensorData> inputs)
    {
        var aligned = new TensorData?[_layout.Inputs.Count];
        for (var s = 0; s < aligned.Length; s++)
        {
            for (var t = 0; t < inputs.Count && aligned[s] is null; t++)
            {
                aligned[s] = inputs[t].Name == _layout.Inputs[s].Name ? inputs[t] : null;
            }
        }

        return aligned;
    }

    /// <summary>Column <paramref name="column"/> of row <paramref name="row"/>: text for string inputs, else a number.</summary>
    public (string? Text, double Number) Value(TensorData?[] aligned, int row, int column)
    {
        var (slot, inner) = _columns[column];
        if (aligned[slot] is not { } tensor)
        {
            return (null, double.NaN);
        }

        var index = ((long)row * _layout.Inputs[slot].RowWidth) + inner;
        if (index >= tensor.ElementCount)
        {
            return (null, double.NaN);
        }

        return TensorValues.Text(tensor.Data, index) is { } text ? (text, double.NaN) : (null, TensorValues.Number(tensor.Data, index));
    }
}

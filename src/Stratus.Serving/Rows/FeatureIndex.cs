using System.Collections.Frozen;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Rows;

/// <summary>
/// Feature name → column in a flat row. Names come from the card when it lists one name per column,
/// else from the input names when every input holds one column.
/// </summary>
public sealed class FeatureIndex
{
    private FeatureIndex(IReadOnlyList<string> names)
    {
        Names = names;
        Columns = names.Select((n, i) => (n, i)).ToFrozenDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Names { get; }
    public FrozenDictionary<string, int> Columns { get; }

    /// <summary>Null when rows can only be sent as arrays.</summary>
    public static FeatureIndex? Build(InputLayout model, IReadOnlyList<string>? cardFeatures)
    {
        if (cardFeatures is not null && cardFeatures.Count == model.RowWidth)
        {
            return new FeatureIndex(cardFeatures);
        }

        return model.Inputs.All(i => i.RowWidth == 1) ? new FeatureIndex(model.Inputs.Select(i => i.Name).ToArray()) : null;
    }
}

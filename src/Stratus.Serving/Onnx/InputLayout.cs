using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Models;

namespace Stratus.Serving.Onnx;

/// <summary>
/// How a flat row of features maps onto a model's inputs, derived from the version's stored signature, so rows
/// can be bound without a loaded session (the GPU tier's models are never loaded in the function app).
/// </summary>
public sealed class InputLayout
{
    private FeatureIndexCache? _features;

    public InputLayout(ModelVersion version)
    {
        Model = version.Model;
        Trained = version.Lineage.Source == Lineage.TrainingSource;
        Inputs = version.Signature.Inputs.Select(InputSlot.From).ToArray();
        var offset = 0;
        foreach (var input in Inputs)
        {
            input.Offset = offset;
            offset += input.RowWidth;
        }

        RowWidth = offset;
        BatchDimensionFixed = Inputs.Any(i => i.FixedBatch);
        UnbindableInput = Inputs.FirstOrDefault(i => !i.RowBindable);
        ColumnSlot = new int[RowWidth];
        ColumnInner = new int[RowWidth];
        for (var s = 0; s < Inputs.Count; s++)
        {
            for (var k = 0; k < Inputs[s].RowWidth; k++)
            {
                ColumnSlot[Inputs[s].Offset + k] = s;
                ColumnInner[Inputs[s].Offset + k] = k;
            }
        }
    }

    public string Model { get; }

    /// <summary>Trained by Stratus: its inputs are named after the features.</summary>
    public bool Trained { get; }

    public IReadOnlyList<InputSlot> Inputs { get; }

    /// <summary>Number of scalar features in one row across all inputs (what a row-array instance must hold).</summary>
    public int RowWidth { get; }

    /// <summary>True when some input's batch dimension is fixed (at 1): rows then run one call each.</summary>
    public bool BatchDimensionFixed { get; }

    /// <summary>The first input that rows cannot fill (images, dynamic inner shapes); null when rows work.</summary>
    public InputSlot? UnbindableInput { get; }

    /// <summary>For each column of a flat row: the input it belongs to and its place within that input's row.</summary>
    internal int[] ColumnSlot { get; }

    internal int[] ColumnInner { get; }

    /// <summary>The feature index for the card's feature names, rebuilt only when the card's list changes.</summary>
    public Rows.FeatureIndex? GetFeatureIndex(IReadOnlyList<string>? cardFeatures)
    {
        // One immutable pair swapped as a whole, so concurrent readers never mix a list with another list's index.
        var cached = Volatile.Read(ref _features);
        if (cached is not null && ReferenceEquals(cached.CardFeatures, cardFeatures))
        {
            return cached.Index;
        }

        // Models Stratus trained name their inputs after the features: those names win over the card's list,
        // which could be in another order.
        var fresh = new FeatureIndexCache(cardFeatures, Rows.FeatureIndex.Build(this, Trained ? null : cardFeatures));
        Volatile.Write(ref _features, fresh);
        return fresh.Index;
    }

    private sealed record FeatureIndexCache(IReadOnlyList<string>? CardFeatures, Rows.FeatureIndex? Index);
}

/// <summary>One model input and where its columns sit in a flat row.</summary>
public sealed class InputSlot
{
    public required string Name { get; init; }
    public required TensorElementType Type { get; init; }

    /// <summary>Declared dimensions; the first is the batch dimension.</summary>
    public required long[] Dimensions { get; init; }

    /// <summary>Scalars per row (product of the non-batch dimensions).</summary>
    public required int RowWidth { get; init; }

    /// <summary>True when the batch dimension is a fixed size rather than symbolic.</summary>
    public required bool FixedBatch { get; init; }

    /// <summary>Whether rows can be bound to this input (static per-row shape, numeric or boolean type).</summary>
    public required bool RowBindable { get; init; }

    public int Offset { get; internal set; }

    /// <summary>Shape of a batch of <paramref name="rows"/> rows.</summary>
    public long[] BatchShape(int rows)
    {
        if (Dimensions.Length == 0)
        {
            return [rows];
        }

        var shape = (long[])Dimensions.Clone();
        shape[0] = rows;
        return shape;
    }

    internal static InputSlot From(TensorSpec spec)
    {
        var type = TensorTypes.FromOnnxName(spec.ElementType);
        var dims = type == TensorElementType.DataTypeMax ? [] : spec.Shape.ToArray();
        var staticRow = dims.Length > 0 && dims.Skip(1).All(d => d > 0);
        var width = staticRow ? (int)dims.Skip(1).Aggregate(1L, (a, d) => a * d) : 0;
        return new InputSlot
        {
            Name = spec.Name,
            Type = type,
            Dimensions = dims,
            RowWidth = width,
            FixedBatch = dims.Length > 0 && dims[0] > 0,
            RowBindable = staticRow && (TensorTypes.IsNumericOrBool(type) || type == TensorElementType.String),
        };
    }
}

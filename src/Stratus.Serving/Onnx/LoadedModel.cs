using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Models;

namespace Stratus.Serving.Onnx;

/// <summary>
/// A ready ONNX Runtime session plus everything the hot path needs precomputed: input layout,
/// output names, run options. Immutable after load; shared by concurrent requests.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public LoadedModel(ModelVersion version, InferenceSession session)
    {
        Version = version;
        _session = session;
        Signature = OnnxModelInspector.ReadSignature(session);
        Inputs = session.InputNames.Select(n => InputSlot.From(n, session.InputMetadata[n])).ToArray();
        OutputNames = session.OutputNames.Where(n => session.OutputMetadata[n].IsTensor).ToArray();
        var offset = 0;
        foreach (var input in Inputs)
        {
            input.Offset = offset;
            offset += input.RowWidth;
        }

        RowWidth = offset;
        BatchDimensionFixed = Inputs.Any(i => i.FixedBatch);
        UnbindableInput = Inputs.FirstOrDefault(i => !i.RowBindable);
        Friendly = FriendlyOutputs.For(version);
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

    /// <summary>For each column of a flat row: the input it belongs to and its place within that input's row.</summary>
    internal int[] ColumnSlot { get; }

    internal int[] ColumnInner { get; }

    private FeatureIndexCache? _features;

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
        var names = Version.Lineage.Source == Core.Models.Lineage.TrainingSource ? null : cardFeatures;
        var fresh = new FeatureIndexCache(cardFeatures, Rows.FeatureIndex.Build(this, names));
        Volatile.Write(ref _features, fresh);
        return fresh.Index;
    }

    private sealed record FeatureIndexCache(IReadOnlyList<string>? CardFeatures, Rows.FeatureIndex? Index);

    public ModelVersion Version { get; }
    public ModelSignature Signature { get; }
    public IReadOnlyList<InputSlot> Inputs { get; }
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Number of scalar features in one row across all inputs (what a row-array instance must hold).</summary>
    public int RowWidth { get; }

    /// <summary>True when some input's batch dimension is fixed (at 1): rows then run one call each.</summary>
    public bool BatchDimensionFixed { get; }

    public long SizeBytes => Version.SizeBytes;

    /// <summary>How predict names this model's outputs (null: raw output names).</summary>
    public FriendlyOutputs? Friendly { get; }

    /// <summary>The first input that rows cannot fill (images, dynamic inner shapes, strings); null when rows work.</summary>
    public InputSlot? UnbindableInput { get; }

    /// <summary>Runs the session and copies outputs into managed memory.</summary>
    public IReadOnlyList<TensorData> Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string>? outputNames = null)
    {
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                names[i] = inputs[i].Name;
                values[i] = inputs[i].ToOrtValue();
            }

            var requested = outputNames ?? OutputNames;
            using var results = _session.Run(_runOptions, names, values, requested);
            var outputs = new TensorData[requested.Count];
            var k = 0;
            foreach (var name in requested)
            {
                outputs[k] = TensorData.FromOrtValue(name, results[k]);
                k++;
            }

            return outputs;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
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

    internal static InputSlot From(string name, NodeMetadata metadata)
    {
        var dims = metadata.IsTensor ? metadata.Dimensions.Select(d => (long)d).ToArray() : [];
        var staticRow = dims.Length > 0 && dims.Skip(1).All(d => d > 0);
        var width = staticRow ? (int)dims.Skip(1).Aggregate(1L, (a, d) => a * d) : 0;
        var type = metadata.IsTensor ? metadata.ElementDataType : TensorElementType.DataTypeMax;
        return new InputSlot
        {
            Name = name,
            Type = type,
            Dimensions = dims,
            RowWidth = width,
            FixedBatch = dims.Length > 0 && dims[0] > 0,
            RowBindable = staticRow && (TensorTypes.IsNumericOrBool(type) || type == TensorElementType.String),
        };
    }
}

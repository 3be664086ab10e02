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
        Layout = new InputLayout(version with { Signature = Signature });
        OutputNames = session.OutputNames.Where(n => session.OutputMetadata[n].IsTensor).ToArray();
        OutputsFollowBatch = OutputNames.All(n => session.OutputMetadata[n].Dimensions is [< 0, ..]);
        Friendly = FriendlyOutputs.For(version);
    }

    /// <summary>How rows map onto this model's inputs.</summary>
    public InputLayout Layout { get; }

    public IReadOnlyList<InputSlot> Inputs => Layout.Inputs;

    public Rows.FeatureIndex? GetFeatureIndex(IReadOnlyList<string>? cardFeatures) => Layout.GetFeatureIndex(cardFeatures);

    public ModelVersion Version { get; }
    public ModelSignature Signature { get; }
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Number of scalar features in one row across all inputs (what a row-array instance must hold).</summary>
    public int RowWidth => Layout.RowWidth;

    /// <summary>True when some input's batch dimension is fixed (at 1): rows then run one call each.</summary>
    public bool BatchDimensionFixed => Layout.BatchDimensionFixed;

    /// <summary>
    /// True when every output's first dimension is the (symbolic) batch: only then can a merged batch's outputs be sliced
    /// back to each caller. Otherwise requests run one at a time, never sharing outputs.
    /// </summary>
    public bool OutputsFollowBatch { get; }

    public long SizeBytes => Version.SizeBytes;

    /// <summary>Where the session runs (<c>cpu</c>, <c>cuda</c>).</summary>
    public string ExecutionProvider { get; init; } = Core.Configuration.ExecutionProviders.Cpu;

    /// <summary>How predict names this model's outputs (null: raw output names).</summary>
    public FriendlyOutputs? Friendly { get; }


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
            using var results = RunSession(names, values, requested);
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

    /// <summary>
    /// Inputs reach the session only after validation against the signature, so what the runtime still refuses (an
    /// index out of range, a shape an operator cannot take) is the request's fault: invalid, never a server error.
    /// </summary>
    private IDisposableReadOnlyCollection<OrtValue> RunSession(string[] names, OrtValue[] values, IReadOnlyCollection<string> outputs)
    {
        try
        {
            return _session.Run(_runOptions, names, values, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw Core.Errors.DomainException.Invalid("Model could not run on this input", $"Model '{Version.Model}' version {Version.Version} failed on this request's input: {e.Message.Split('\n')[0]}");
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}

using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Core.Errors;

namespace Stratus.Serving.Onnx;

/// <summary>Reads a model's signature by loading it into ONNX Runtime, which also proves the file is a usable ONNX model.</summary>
public sealed class OnnxModelInspector : IModelInspector
{
    /// <summary>The optimization level sessions are served with: a model that fails it is refused at upload, not at its first predict.</summary>
    public const GraphOptimizationLevel ServingOptimization = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public ModelSignature Inspect(string onnxPath)
    {
        string? external;
        try
        {
            external = OnnxExternalData.FindExternalTensor(onnxPath);
        }
        catch (InvalidDataException e)
        {
            throw DomainException.Invalid("Not an ONNX model", $"The uploaded file is not a well-formed ONNX (protobuf) model: {e.Message}");
        }

        if (external is not null)
        {
            throw DomainException.Invalid(
                "External data not allowed",
                $"Tensor '{external}' keeps its data in an external file; upload a self-contained model (save it with all tensors inside the .onnx file).");
        }

        InferenceSession session;
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = ServingOptimization };
            session = new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw DomainException.Invalid("Not an ONNX model", $"The uploaded file could not be loaded as an ONNX model: {FirstLine(e.Message)}");
        }

        using (session)
        {
            return ReadSignature(session);
        }
    }

    public static ModelSignature ReadSignature(InferenceSession session) => new(
        session.InputNames.Select(n => Spec(n, session.InputMetadata[n])).ToArray(),
        session.OutputNames.Select(n => Spec(n, session.OutputMetadata[n])).ToArray());

    private static TensorSpec Spec(string name, NodeMetadata metadata) => metadata.IsTensor
        ? new TensorSpec(name, TensorTypes.OnnxName(metadata.ElementDataType), metadata.Dimensions.Select(d => (long)d).ToArray())
        : new TensorSpec(name, metadata.OnnxValueType.ToString().Replace("ONNX_TYPE_", "", StringComparison.Ordinal).ToLowerInvariant(), []);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}

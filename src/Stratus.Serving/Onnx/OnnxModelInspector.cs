using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Core.Errors;

namespace Stratus.Serving.Onnx;

/// <summary>Reads a model's signature by loading it into ONNX Runtime, which also proves the file is a usable ONNX model.</summary>
public sealed class OnnxModelInspector : IModelInspector
{
    public ModelSignature Inspect(string onnxPath)
    {
        InferenceSession session;
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
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

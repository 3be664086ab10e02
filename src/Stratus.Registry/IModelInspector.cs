using Stratus.Core.Models;

namespace Stratus.Registry;

/// <summary>Reads an uploaded model's signature, proving on the way that the file is a usable model (the serving engine implements it).</summary>
public interface IModelInspector
{
    /// <summary>Returns the signature, or throws an invalid-input error when the file is not a loadable ONNX model.</summary>
    ModelSignature Inspect(string onnxPath);
}
